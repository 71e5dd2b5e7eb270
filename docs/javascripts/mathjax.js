// MathJax 3 configuration. The script itself is served by this site (assets/mathjax/),
// copied from the django-static-mathjax wheel at build time: no CDN.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // Typeset only Arithmatex output and notebook Markdown cells. ".+" (not Material's ".*|")
    // so that unclassed <p> elements inside a notebook's Markdown cell are not skipped.
    ignoreHtmlClass: ".+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown|jp-MarkdownOutput",
    enableMenu: false,
  },
  svg: { fontCache: "global" },
};

// Material's instant navigation swaps page content without a reload: typeset again.
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax && MathJax.typesetPromise) {
      // SVG output has clearFontCache (clearCache exists only for CHTML output).
      if (MathJax.startup.output.clearFontCache) MathJax.startup.output.clearFontCache();
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
