"""Call targets: whether an outbound call reaches a service of this system ("internal"),
a third party ("external"), or cannot be told ("unknown").

Read from the call's URL, or its client's base URL (``httpx.AsyncClient(base_url=...)``),
through constants, f-strings, ``os.getenv(name, default)``, settings attributes, what a function
or method of the module returns (``self._get_service_url()``), every value of a name bound more
than once, and what a client class's constructions pass for the ``__init__`` parameter its base
URL comes from (``ProductClient(base_url=settings.product_service_url)``, in any module):

- the ``internal-hosts`` / ``external-hosts`` settings (globs such as ``*.corp.example``) win;
- cluster DNS (``*.svc``, ``*.svc.cluster.local``, ``*.cluster.local``, ``*.internal``,
  ``*.local``, ``*.consul``), single-label hosts (``inventory``, ``inventory-service:8080``,
  ``localhost``), private and loopback addresses, and the hosts of the ``services`` and
  ``hosts`` tables are internal;
- a host under a public top-level domain (``hooks.slack.com``, ``www.googleapis.com``,
  any two-letter country domain) and public addresses are external; other dotted names
  (``inventory.inventory-prod``) are a cluster's own naming, internal;
- plain ``http://`` to a host chosen at run time (``f"http://{host}:{port}/users"``) is internal
  (third-party APIs are served over https);
- in an API gateway or backend-for-frontend (a path naming ``gateway``, ``bff``, ``proxy``,
  ``upstream``), a call whose target cannot be read otherwise is internal;
- a host known only by name: ``*_SERVICE_URL``, ``settings.inventory_svc_host``... are
  internal; names of identity providers and SaaS APIs (``JWKS_URL``, ``keycloak_url``,
  ``SLACK_WEBHOOK``) and of infrastructure that is no service of the system (Consul, Vault,
  Elasticsearch...) are external; anything else is unknown.

gRPC stubs are internal unless their target is external ("gRPC only for internal
service-to-service calls").
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re

from ..artifacts import pynodes as cst

from ..artifacts.python import PyModule, Scope, dotted
from .values import resolve, text

INTERNAL, EXTERNAL, UNKNOWN = "internal", "external", "unknown"
PUBLIC_TLDS = frozenset({
    "com", "org", "net", "io", "dev", "app", "ai", "co", "gov", "edu", "mil", "int", "info", "biz", "cloud",
    "tech", "xyz", "site", "online", "me", "tv", "so", "sh", "api", "services", "systems", "digital", "global",
    "page", "run", "link", "live", "store", "shop", "team", "tools", "software", "solutions", "network",
})
CLUSTER_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local", ".internal", ".local", ".consul",
                    ".localhost", ".lan", ".intranet")
_INTERNAL_NAME = re.compile(r"(?:^|[_\W])(?:service|services|svc|microservice|upstream|backend|downstream|gateway)"
                            r"(?:[_\W]|$)|_SERVICE|SERVICE_|_SVC|Service(?:Url|URL|Host|Address)", re.I)
_EXTERNAL_NAME = re.compile(
    r"jwks|keycloak|auth0|okta|oauth|openid|oidc|cognito|slack|stripe|paypal|github|gitlab|google|gcp|azure|aws|"
    r"s3|twilio|sendgrid|mailgun|openai|anthropic|tableau|webhook|telegram|discord|sentry|public[_-]?key|"
    r"certs?_url|facebook|twitter|shopify|hubspot|salesforce|zendesk|jira|notion|firebase|apple|microsoft|"
    r"graph_api|weather|maps?_api|geocod|"
    r"consul|vault|elastic|opensearch|prometheus|grafana|loki|jaeger|zipkin|minio|registry", re.I)  # infrastructure


def host_of(value: str, complete: bool, form: str = "url") -> str | None:
    """The host a URL (``form`` "url"), ``host[:port]`` ("host") or gRPC target ("target") names."""
    rest = value.strip()
    if form == "url":
        if "://" not in rest:
            return None
        rest = rest.split("://", 1)[1]
    elif form == "target":
        for prefix in ("dns:///", "dns:", "ipv4:", "ipv6:", "unix:"):
            if rest.startswith(prefix):
                if prefix == "unix:":
                    return None
                rest = rest[len(prefix):]
                break
    end = min([i for i in (rest.find(ch) for ch in "/?#,") if i >= 0], default=-1)
    netloc = rest if end < 0 else rest[:end]
    netloc = netloc.rsplit("@", 1)[-1]
    if netloc.startswith("["):
        return netloc[1:netloc.index("]")] if "]" in netloc else None
    if end < 0 and not complete and ":" not in netloc:
        return None  # the host may go on at run time
    if netloc.count(":") > 1:  # a bare IPv6 address (``ipv6:`` targets)
        return netloc
    return netloc.split(":", 1)[0] or None


def classify_host(host: str, settings=None) -> str:  # noqa: ANN001
    """internal / external for a host name or address (the module docstring's rules)."""
    h = host.lower().rstrip(".")
    if settings is not None:
        for pattern in getattr(settings, "external_hosts", ()) or ():
            if fnmatch.fnmatchcase(h, pattern.lower()):
                return EXTERNAL
        for pattern in getattr(settings, "internal_hosts", ()) or ():
            if fnmatch.fnmatchcase(h, pattern.lower()):
                return INTERNAL
        if h in _known_hosts(settings):
            return INTERNAL
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        pass
    else:
        return INTERNAL if (ip.is_private or ip.is_loopback or ip.is_link_local) else EXTERNAL
    if "." not in h or h.endswith(CLUSTER_SUFFIXES):
        return INTERNAL
    tld = h.rsplit(".", 1)[-1]
    if len(tld) == 2 or tld in PUBLIC_TLDS:
        return EXTERNAL
    return INTERNAL  # inventory.inventory-prod: a cluster's own naming


def _known_hosts(settings) -> set[str]:  # noqa: ANN001
    out: set[str] = set()
    for name, spec in (getattr(settings, "services", None) or {}).items():
        out.add(str(name).lower())
        if isinstance(spec, dict):
            out.update(str(h).lower() for h in spec.get("hosts", []))
    for name, hosts in (getattr(settings, "hosts", None) or {}).items():
        out.add(str(name).lower())
        out.update(str(h).lower() for h in ([hosts] if isinstance(hosts, str) else hosts))
    return out


def classify_name(name: str) -> str:
    """What the name a URL is read from says: ``INVENTORY_SERVICE_URL`` internal, ``JWKS_URL`` external."""
    if _EXTERNAL_NAME.search(name):
        return EXTERNAL
    if _INTERNAL_NAME.search(name):
        return INTERNAL
    return UNKNOWN


def _names(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, depth: int = 0) -> list[str]:
    """The names (dotted, or environment variable names) a URL expression is built from."""
    if expr is None or depth > 6:
        return []
    out: list[str] = []
    if isinstance(expr, cst.Name):
        out.append(expr.value)
        value = resolve(module, expr, scope)
        if value is not None and value is not expr:
            out += _names(module, value, scope, depth + 1)
        elif value is None:  # url = f"{BASE}/a" ... url = f"{BASE}/b": a name bound more than once
            bound = module.lookup(expr.value, scope)
            for v in bound if 1 < len(bound) <= 8 else ():
                out += _texts_or_names(module, v, scope, depth)
        return out
    if isinstance(expr, cst.SimpleString):
        t = text(module, expr, scope)
        return [t.value] if t is not None else []
    if isinstance(expr, cst.Attribute):
        d = dotted(expr)
        out = [d] if d else [expr.attr.value]
        cls = scope.enclosing_class() if isinstance(expr.value, cst.Name) and expr.value.value == "self" else None
        values = cls.attributes.get(expr.attr.value, []) if cls is not None else []
        if len(values) == 1:  # self.base_url = os.getenv("AUTH_SERVICE_URL")
            out += _names(module, values[0], cls, depth + 1) + _passed_in(module, cls, values[0])  # type: ignore[arg-type]
        return out
    if isinstance(expr, cst.FormattedString):
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringExpression):
                out += _names(module, part.expression, scope, depth + 1)
        return out
    if isinstance(expr, (cst.BinaryOperation,)):
        return _names(module, expr.left, scope, depth + 1) + _names(module, expr.right, scope, depth + 1)
    if isinstance(expr, cst.Subscript):  # os.environ["X_URL"], config["x_url"]
        for el in expr.slice:
            if isinstance(el.slice, cst.Index):
                t = text(module, el.slice.value, scope)
                if t is not None:
                    out.append(t.value)
        return out + _names(module, expr.value, scope, depth + 1)
    if isinstance(expr, cst.Call):  # os.getenv("X_URL", default), settings.get("x_url"), urljoin(base, path)
        for a in expr.args:
            t = text(module, a.value, scope)
            if t is not None:
                out.append(t.value)
            else:
                out += _names(module, a.value, scope, depth + 1)
        returned = module.returns(expr.func, scope)  # self._get_service_url(): what it returns
        for value in returned[0] if returned is not None else ():
            out += _texts_or_names(module, value, returned[1], depth)  # type: ignore[index]
        return out
    return out


def _texts_or_names(module: PyModule, expr: cst.BaseExpression, scope: Scope, depth: int) -> list[str]:
    """A value's text when it starts with one (``"http://radiologues:8084"``), else the names it is built from."""
    t = text(module, expr, scope)
    return [t.value] if t is not None and t.value else _names(module, expr, scope, depth + 1)


def _passed_in(module: PyModule, cls: Scope, value: cst.BaseExpression) -> list[str]:
    """``self.base_url = base_url.rstrip("/")`` in ``__init__``: what the class's constructions,
    in whichever module, pass for that parameter (``ProductClient(base_url=settings.product_service_url)``)."""
    from .callers import passed_values

    init = next((s for s in module.scopes if s.parent is cls and s.kind == "function" and s.name == "__init__"), None)
    if init is None:
        return []
    used = {n.value for n in cst.iter_nodes(value) if isinstance(n, cst.Name)} & init.opaque
    return [n for param in sorted(used) for n in passed_values(module, cls, param) or []]


def _names_external(module: PyModule, expr: cst.BaseExpression, scope: Scope) -> bool:
    return any(classify_name(n) == EXTERNAL for n in _names(module, expr, scope) if "://" not in n)


def _env_default(module: PyModule, expr: cst.BaseExpression | None, scope: Scope) -> cst.BaseExpression | None:
    """``os.getenv("X", "http://inventory:8000")`` -> the default's expression."""
    value = resolve(module, expr, scope) if expr is not None else None
    if isinstance(value, cst.Call) and (module.qualname(value.func) or "") in (
        "os.getenv", "os.environ.get", "os.environ.setdefault"
    ) and len(value.args) > 1:
        return value.args[1].value
    return None


def classify_url(module: PyModule, expr: cst.BaseExpression | None, scope: Scope, settings=None,  # noqa: ANN001
                 form: str = "url") -> str:
    """internal / external / unknown for the URL (or host, or gRPC target) an expression builds."""
    if expr is None:
        return UNKNOWN
    for candidate in (expr, _env_default(module, expr, scope)):
        if candidate is None:
            continue
        t = text(module, candidate, scope)
        if t is not None:
            host = host_of(t.value, t.complete, form)
            if host:
                return classify_host(host, settings)
            if form == "url" and t.value.lower().startswith("http://") and not _names_external(module, expr, scope):
                return INTERNAL  # plain HTTP to a host chosen at run time: a service in the cluster
    imported = _imported(module, expr, scope, settings, form)
    if imported != UNKNOWN:
        return imported
    verdicts = set()
    for n in _names(module, expr, scope):
        host = host_of(n, True, form) if "://" in n or form != "url" else None
        verdicts.add(classify_host(host, settings) if host else classify_name(n))
    if EXTERNAL in verdicts:
        return EXTERNAL
    if INTERNAL in verdicts:
        return INTERNAL
    return UNKNOWN


def _imported(module: PyModule, expr: cst.BaseExpression, scope: Scope, settings, form: str) -> str:  # noqa: ANN001
    """A URL named by a constant, class attribute or settings default of another module of the tree
    (``Config.url_date = f"http://{ip}:{port}/date"``), read through the project index."""
    from .index import find

    value = resolve(module, expr, scope)
    if isinstance(value, cst.FormattedString) and value.parts and isinstance(value.parts[0], cst.FormattedStringExpression):
        value = value.parts[0].expression  # f"{Config.base}/items": the base decides
    elif isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        value = value.left
    if not isinstance(value, (cst.Name, cst.Attribute)):
        return UNKNOWN
    d = find(module, module.qualname(value))
    lit = d.value if d is not None else None
    if lit is None:
        return UNKNOWN
    if lit.kind == "name" and isinstance(lit.value, str):
        return classify_name(lit.value)
    if lit.kind not in ("str", "env", "fstr") or not isinstance(lit.value, str):
        return UNKNOWN
    host = host_of(lit.value, lit.kind != "fstr", form)
    if host:
        return classify_host(host, settings)
    if form == "url" and lit.value.lower().startswith("http://"):
        return INTERNAL  # plain HTTP to a host chosen at run time
    return UNKNOWN


def call_target(module: PyModule, call, settings=None) -> str:  # noqa: ANN001
    """internal / external / unknown for an outbound call (``HttpCall``), from its URL or its client's base URL."""
    from .http import GRPC, grpc_target, http_calls

    key = f"targets.{id(call.node)}"

    def build(m: PyModule) -> str:
        if call.library is GRPC:
            target = grpc_target(m, call.client)
            verdict = classify_url(m, target, call.scope, settings, "target") if target is not None else UNKNOWN
            return EXTERNAL if verdict == EXTERNAL else INTERNAL
        url = call.url(m)
        verdict = classify_url(m, url, call.scope, settings) if url is not None else UNKNOWN
        if verdict != UNKNOWN:
            return verdict
        if call.remote is not None:
            verdict = remote_target(call.remote, settings)
            return verdict if verdict != UNKNOWN else _by_path(m)
        if call.role != "method" or call.client is None or call.client.call is None:
            return _by_path(m)
        owner = next((c for c in http_calls(m) if c.role == "client" and c.node is call.client.call), None)
        if owner is None:
            return UNKNOWN
        base = owner.url(m)
        if base is None:
            return _by_path(m)
        form = "host" if owner.library.name in ("urllib3", "http.client") and "from_url" not in owner.qualname else "url"
        verdict = classify_url(m, base, owner.scope, settings, form)
        return verdict if verdict != UNKNOWN else _by_path(m)

    return module.analysis(key, build)


def remote_target(built, settings=None) -> str:  # noqa: ANN001 - analyses.index.Built
    """internal / external / unknown for a client a factory in another module builds, from the
    ``base_url`` written there (a literal, an f-string's start, an environment default, a name)."""
    base = built.call.kw("base_url")
    if base is None and built.call.positional and built.qualname.startswith("aiohttp."):
        base = built.call.positional[0]
    if base is None:
        return UNKNOWN
    if base.kind == "name" and base.value in built.summary.consts:  # BASE = os.getenv("X", "http://...")
        base = built.summary.consts[base.value]
    if base.kind in ("str", "fstr", "env") and isinstance(base.value, str):
        host = host_of(base.value, base.kind != "fstr")
        if host:
            return classify_host(host, settings)
        if base.value.lower().startswith("http://"):
            return INTERNAL
    if base.kind == "name" and isinstance(base.value, str):
        return classify_name(base.value)
    return UNKNOWN


_GATEWAY_PATH = re.compile(r"(?:^|[/_-])(?:api[_-]?gateway|gateway|bff|backend[_-]for[_-]frontend|upstreams?|proxy)(?:[/_.-]|$)", re.I)


def _by_path(module: PyModule) -> str:
    """An API gateway's or a backend-for-frontend's calls reach the system's own services."""
    return INTERNAL if _GATEWAY_PATH.search(module.path) else UNKNOWN
