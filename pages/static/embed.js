// <playground-notebook src="https://…/embed/TOKEN"></playground-notebook>: a notebook of
// Playground in a page of another site (docs/folders.md, "Embeds"). Include this
// script once, from the same site as the embed address:
//   <script src="https://…/static/embed.js" async></script>
// The notebook runs in a frame of Playground's user-content site: it has no access to
// this page, its cookies or its storage, and this page none to it. The frame tells
// its content's height; only messages from this element's own frame are read.
(function () {
  "use strict";
  if (window.customElements === undefined || customElements.get("playground-notebook")) return;
  var MAX_HEIGHT = 20000;

  class PlaygroundNotebook extends HTMLElement {
    connectedCallback() {
      if (this.frame) return;
      var src = this.getAttribute("src");
      if (!src) return;
      var frame = document.createElement("iframe");
      frame.src = src;
      frame.title = this.getAttribute("title") || "Python notebook";
      frame.loading = this.hasAttribute("eager") ? "eager" : "lazy";
      frame.allow = "cross-origin-isolated; clipboard-write";
      frame.style.cssText = "display:block;width:100%;border:0;height:" +
        (parseInt(this.getAttribute("height") || "", 10) || 320) + "px";
      var origin = new URL(src, location.href).origin;
      window.addEventListener("message", function (event) {
        var data = event.data;
        if (event.source !== frame.contentWindow || event.origin !== origin) return;
        if (!data || data.type !== "playground:embed-size") return;
        if (typeof data.height !== "number" || !isFinite(data.height)) return;
        frame.style.height = Math.max(80, Math.min(MAX_HEIGHT, Math.ceil(data.height))) + "px";
      });
      this.frame = frame;
      this.appendChild(frame);
    }
  }

  customElements.define("playground-notebook", PlaygroundNotebook);
})();
