// Starts GraphiQL on the page graph.NewExplorer serves. The page passes its settings in
// data attributes of #graphiql so that no inline script is needed (the page's
// Content-Security-Policy allows scripts from its own origin only). Every URL is
// relative to the page, which may be served below a proxy's path prefix.
//
// The bearer token comes from the bar above GraphiQL: the development sign-in (when the
// server offers it) or a pasted token. It is kept for the tab in sessionStorage, sent by
// the fetcher (never written into the headers editor), and changing it re-fetches the
// schema. Without a token GraphiQL starts without a schema instead of asking the server
// for one it would refuse.
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  var prefix = root.dataset.storagePrefix || '';
  var tokenKey = prefix + ':token';
  var tokenInput = document.getElementById('codex-token');
  var status = document.getElementById('codex-status');
  var devToken = root.dataset.devToken;

  // withoutTokens blanks bearer tokens (RFC 6750 b64token) in a value GraphiQL stores:
  // its history keeps each query's headers whatever shouldPersistHeaders says.
  function withoutTokens(value) {
    return String(value).replace(/(Bearer\s+)[A-Za-z0-9\-._~+\/]+=*/gi, '$1');
  }

  // PrefixedStorage keeps GraphiQL's tabs, history and settings under the page's own
  // prefix in localStorage, so saved tabs survive; it never stores a bearer token.
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

  // normalize accepts a token pasted with its scheme ("Bearer eyJ…") or without.
  function normalize(token) {
    return String(token || '').trim().replace(/^Bearer\s+/i, '').trim();
  }

  function currentToken() {
    return sessionStorage.getItem(tokenKey) || '';
  }

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'codex-error' : '';
  }

  var url = new URL(root.dataset.endpoint, window.location.href).href;
  var storage = new PrefixedStorage();
  var plugins = [GraphiQLPluginExplorer.explorerPlugin()];
  var reactRoot = ReactDOM.createRoot(root);
  var generation = 0;

  // render (re)mounts GraphiQL for the current token: a new key remounts it, and so
  // fetches the schema again.
  function render() {
    var token = currentToken();
    tokenInput.value = token;
    generation++;
    var props = {
      key: 'codex-' + generation,
      fetcher: GraphiQL.createFetcher({
        url: url,
        headers: token ? { Authorization: 'Bearer ' + token } : {}
      }),
      plugins: plugins,
      defaultQuery: root.dataset.defaultQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      storage: storage
    };
    if (!token) {
      props.schema = null; // no introspection without a token: it would be refused
      say(devToken ? 'Sign in, or paste a token, to load the schema.' : 'Paste a token to load the schema.');
    } else {
      say('');
      checkToken(token);
    }
    reactRoot.render(React.createElement(GraphiQL, props));
  }

  // checkToken says plainly when the server refuses the token (expired, another
  // issuer's), rather than leaving only GraphiQL's schema error.
  function checkToken(token) {
    fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({ query: '{ __typename }' })
    }).then(function (res) {
      if (token !== currentToken()) {
        return;
      }
      if (res.status === 401 || res.status === 403) {
        return res.json().then(function (p) {
          say('The token was refused: ' + (p.detail || res.statusText) + '.', true);
        });
      }
      if (res.ok) {
        say('Signed in; the schema is loaded.');
      }
    }).catch(function () {});
  }

  function setToken(token) {
    token = normalize(token);
    if (token) {
      sessionStorage.setItem(tokenKey, token);
    } else {
      sessionStorage.removeItem(tokenKey);
    }
    render();
  }

  tokenInput.addEventListener('change', function () { setToken(tokenInput.value); });
  document.getElementById('codex-bar').addEventListener('submit', function (e) {
    e.preventDefault();
    setToken(tokenInput.value);
  });
  document.getElementById('codex-signout').addEventListener('click', function () { setToken(''); });

  if (devToken) {
    var button = document.getElementById('codex-signin');
    button.addEventListener('click', function () {
      var level = document.getElementById('codex-level').value;
      button.disabled = true;
      say('Signing in…');
      fetch(new URL(devToken, window.location.href).href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ level: level })
      }).then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) {
            throw new Error(body.detail || res.statusText);
          }
          setToken(body.token);
        });
      }).catch(function (err) {
        say('Sign-in failed: ' + err.message, true);
      }).then(function () {
        button.disabled = false;
      });
    });
  }

  render();
})();
