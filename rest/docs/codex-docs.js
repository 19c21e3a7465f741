// Renders the OpenAPI document embedded in the page with Redoc. The document is in the
// page (a JSON block, not fetched) so the page needs no token and works behind a proxy
// that serves Codex below a path prefix.
(function () {
  var spec = JSON.parse(document.getElementById('codex-openapi').textContent);
  Redoc.init(spec, {
    expandResponses: '200,201',
    jsonSampleExpandLevel: 2,
    hideHostname: true,
    sortTagsAlphabetically: true,
  }, document.getElementById('redoc'));
})();
