// Starts GraphiQL on the page graph.ExplorerHandler serves. The page passes its settings
// in data attributes of #graphiql so that no inline script is needed (the page's
// Content-Security-Policy allows scripts from its own origin only).
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  var prefix = root.dataset.storagePrefix || '';

  // withoutTokens blanks bearer tokens (RFC 6750 b64token) in a value GraphiQL stores:
  // its history keeps each query's headers whatever shouldPersistHeaders says.
  function withoutTokens(value) {
    return String(value).replace(/(Bearer\s+)[A-Za-z0-9\-._~+\/]+=*/gi, '$1');
  }

  // PrefixedStorage keeps GraphiQL's tabs, history and settings under the page's own
  // prefix in localStorage, as the explorer Codex served before did, so saved tabs
  // survive; it never stores a bearer token.
  function PrefixedStorage() {}
  PrefixedStorage.prototype.keys = function () {
    var out = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key !== null && key.indexOf(prefix) === 0) {
        out.push(key.substring(prefix.length));
      }
    }
    return out;
  };
  PrefixedStorage.prototype.getItem = function (key) { return localStorage.getItem(prefix + key); };
  PrefixedStorage.prototype.setItem = function (key, value) { localStorage.setItem(prefix + key, withoutTokens(value)); };
  PrefixedStorage.prototype.removeItem = function (key) { localStorage.removeItem(prefix + key); };
  PrefixedStorage.prototype.clear = function () {
    this.keys().forEach(function (key) { localStorage.removeItem(prefix + key); });
  };
  PrefixedStorage.prototype.key = function (i) {
    var keys = this.keys();
    return i >= 0 && i < keys.length ? keys[i] : null;
  };
  Object.defineProperty(PrefixedStorage.prototype, 'length', {
    get: function () { return this.keys().length; }
  });

  // The endpoint is a path on this origin: the page works wherever Codex is served.
  var url = new URL(root.dataset.endpoint, window.location.href).href;
  var element = React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: url }),
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    // headers fills the editor of the tab open at start, defaultHeaders every new tab.
    headers: root.dataset.headers,
    defaultHeaders: root.dataset.headers,
    isHeadersEditorEnabled: true,
    // The headers editor starts from defaultHeaders after a reload: a pasted token is
    // not kept (see withoutTokens).
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: 'headers',
    storage: new PrefixedStorage()
  });
  ReactDOM.createRoot(root).render(element);
})();
