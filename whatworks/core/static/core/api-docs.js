// Swagger UI draws some <select>s without a label (a parameter's allowed values, a media
// type): name each one as it appears, from the parameter it belongs to.
function labelSelects() {
  for (const select of document.querySelectorAll("select:not([aria-label])")) {
    const row = select.closest("tr");
    const name = row && row.querySelector(".parameter__name");
    let label = "Choose a value";
    if (name) label = "Values for " + name.textContent.replace("*", "").replace("required", "").trim();
    else if (select.closest(".response-control-media-type, .content-type-wrapper, .body-param-content-type"))
      label = "Media type";
    select.setAttribute("aria-label", label);
  }
}

new MutationObserver(labelSelects).observe(document.body, { childList: true, subtree: true });
labelSelects();
