// A real OpenID Provider for Insyn's single sign-on tests and demo: the certified
// oidc-provider package (https://github.com/panva/node-oidc-provider, MIT), pinned in
// package.json / package-lock.json. Nothing here is mocked: Insyn's own sign-in code runs the
// authorization code flow against it, checks the ID token's signature against its JWKS, and
// reads its userinfo endpoint.
//
// Two clients and a few accounts, as a municipality's two identity services would have them:
//   insyn-staff  the staff IdP (Azure AD, Keycloak, …): a `roles` claim Insyn maps to
//                memberships ("insyn:reporter:socialnamnden" = reporter for that board)
//   insyn-eid    a Swedish e-ID broker (BankID, Freja eID behind it): the personal identity
//                number as the brokers send it, both as the Swedish OIDC profile's claim
//                https://id.oidc.se/claim/personalIdentityNumber and as `personal_number`
// Sign-in is a plain form that asks which account to be (no password: a test provider).
//
// Environment: PORT (default 9000), HOST (default 127.0.0.1), INSYN_URL (where Insyn runs,
// default http://127.0.0.1:8000; the clients' redirect URIs hang off it), OIDC_TEST_CONFIG
// (optional JSON {"accounts": {...}} replacing the accounts below).
import { createServer } from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.PORT || 9000);
const host = process.env.HOST || "127.0.0.1";
const insyn = (process.env.INSYN_URL || "http://127.0.0.1:8000").replace(/\/$/, "");
const issuer = `http://${host}:${port}`;
const PNR = "https://id.oidc.se/claim/personalIdentityNumber";

const extra = process.env.OIDC_TEST_CONFIG ? JSON.parse(process.env.OIDC_TEST_CONFIG) : {};
const accounts = extra.accounts || {
  "anna.rapportor": {
    email: "anna.rapportor@uppsala.example",
    email_verified: true,
    given_name: "Anna",
    family_name: "Rapportör",
    roles: ["insyn:reporter:socialnamnden", "insyn:reader"],
  },
  "sven.sammanstallare": {
    email: "sven.sammanstallare@uppsala.example",
    email_verified: true,
    given_name: "Sven",
    family_name: "Sammanställare",
    roles: ["insyn:compiler"],
  },
  "invanare-bankid": {
    given_name: "Ingrid",
    family_name: "Invånare",
    [PNR]: "198112289874",
    personal_number: "198112289874",
  },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "insyn-staff",
      client_secret: "insyn-staff-secret",
      redirect_uris: [`${insyn}/konto/oidc/callback/`],
      post_logout_redirect_uris: [`${insyn}/`],
      token_endpoint_auth_method: "client_secret_post",
    },
    {
      client_id: "insyn-eid",
      client_secret: "insyn-eid-secret",
      redirect_uris: [`${insyn}/dialog/e-legitimation/svar/`],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["given_name", "family_name"],
    roles: ["roles"],
    "https://id.oidc.se/scope/naturalPersonNumber": [PNR, "personal_number"],
  },
  // The brokers put the personal number in the ID token itself.
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  // First-party clients: no consent screen, every requested scope is granted.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope || "openid");
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => false },
  cookies: { keys: ["insyn-test-provider"] },
});
provider.proxy = false;

const escape = (s) =>
  String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function form(uid, client, error = "") {
  const options = Object.keys(accounts)
    .map((id) => `<li><code>${escape(id)}</code></li>`)
    .join("");
  return `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Logga in – testleverantör</title></head>
<body><main><h1>Logga in hos testleverantören</h1><p>Tjänst: ${escape(client)}</p>
${error ? `<p role="alert">${escape(error)}</p>` : ""}
<form method="post" action="/interaction/${escape(uid)}"><label for="login">Konto</label>
<input id="login" name="login" autocomplete="username" required><button type="submit">Logga in</button></form>
<p>Konton:</p><ul>${options}</ul></main></body></html>`;
}

async function body(req) {
  let data = "";
  for await (const chunk of req) data += chunk;
  return new URLSearchParams(data);
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(req.url.split("?")[0]);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "POST") {
      const login = (await body(req)).get("login") || "";
      if (!accounts[login]) {
        res.writeHead(400, { "content-type": "text/html; charset=utf-8" });
        return res.end(form(details.uid, details.params.client_id, `Okänt konto: ${login}`));
      }
      const to = await provider.interactionResult(
        req,
        res,
        { login: { accountId: login } },
        { mergeWithLastSubmission: false },
      );
      res.writeHead(303, { location: to });
      return res.end();
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    return res.end(form(details.uid, details.params.client_id));
  } catch (err) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    return res.end(`interaction failed: ${err.message}`);
  }
});
server.listen(port, host, () => {
  console.log(`oidc-provider ${issuer} ready`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
