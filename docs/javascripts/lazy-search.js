// Material requests search/search_index.json (close to 1 MB) as soon as any page loads. This
// script runs before Material's bundle and holds that one request back until the reader
// reaches for the search box (hovers or taps it, or a shortcut or click focuses it), so a page
// that is only read never downloads the index. A URL with ?q= searches at once.
(function () {
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  const held = [];
  let wanted = new URLSearchParams(location.search).has("q");
  const release = () => {
    wanted = true;
    held.splice(0).forEach((go) => go());
  };

  XMLHttpRequest.prototype.open = function (method, url) {
    this.dlrefSearchIndex = /\/search\/search_index\.json$/.test(new URL(url, location.href).pathname);
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (!this.dlrefSearchIndex || wanted) return send.apply(this, args);
    held.push(() => send.apply(this, args));
  };

  const inSearch = (event) =>
    event.target instanceof Element && event.target.closest("[data-md-component=search], label[for=__search]");
  for (const type of ["focusin", "pointerover", "pointerdown"]) {
    document.addEventListener(type, (event) => inSearch(event) && release(), { capture: true });
  }
  document.addEventListener("change", (event) => event.target.id === "__search" && release(), { capture: true });
})();
