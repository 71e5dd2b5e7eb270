// MathJax 3, served by this site (assets/mathjax/, copied from the django-static-mathjax wheel
// at build time: no CDN), and loaded only on pages that have math. Its loader fetches the
// core, TeX input and CHTML output components; CHTML fetches each woff font the page uses.
(function () {
  const base = new URL("../assets/mathjax", document.currentScript.src).href;
  const TEX = /\$|\\\(|\\\[|\\begin\{/;
  const hasMath = () =>
    document.querySelector(".arithmatex") !== null ||
    [...document.querySelectorAll(".jp-RenderedMarkdown")].some((cell) => TEX.test(cell.textContent));

  window.MathJax = {
    loader: { load: ["core", "input/tex", "output/chtml"], paths: { mathjax: base } },
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
    chtml: { fontURL: base + "/output/chtml/fonts/woff-v2" },
    startup: {
      pageReady: () => MathJax.startup.defaultPageReady().then(markWideInline),
    },
  };

  // In-line math cannot wrap: one wider than its paragraph (on a phone) gets its own
  // sideways scrolling (extra.css, .dlref-wide) instead of widening the whole page.
  function markWideInline() {
    for (const mjx of document.querySelectorAll("span.arithmatex > mjx-container, .jp-RenderedMarkdown mjx-container:not([display])")) {
      const block = mjx.parentElement.closest("p, li, td, th, dd, dt, blockquote, div");
      const natural = (mjx.firstElementChild || mjx).getBoundingClientRect().width;
      mjx.classList.toggle("dlref-wide", !!block && natural > block.clientWidth);
    }
  }
  let pending = false;
  window.addEventListener("resize", () => {
    if (pending || !(window.MathJax && MathJax.typesetPromise)) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; markWideInline(); });
  });

  const load = () => {
    if (!hasMath() || document.getElementById("dlref-mathjax")) return;
    const script = document.createElement("script");
    script.id = "dlref-mathjax";
    script.src = base + "/startup.js";
    script.async = true;
    document.head.appendChild(script);
  };
  load();

  // Material's instant navigation (if switched on) swaps page content without a reload.
  if (typeof document$ !== "undefined") {
    document$.subscribe(() => {
      if (window.MathJax && MathJax.typesetPromise) {
        MathJax.startup.output.clearCache();
        MathJax.typesetClear();
        MathJax.texReset();
        MathJax.typesetPromise();
      } else {
        load();
      }
    });
  }
})();
