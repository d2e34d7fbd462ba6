// A real OpenID Provider for the single sign-on tests: panva's oidc-provider (OpenID
// Certified) with its development login form, where any login name signs in as that account
// with any password. Run by tests/pages/single_sign_on.rs:
//
//   PLANLOKET_OIDC_PROVIDER=<…/node_modules/oidc-provider> \
//     node tests/oidc/provider.mjs <port> <accounts.json> <redirect uri> <client id> <client secret>
//
// accounts.json maps a login name to {email, name, roles}; it is read at every token, so a
// test changes someone's roles at the provider by writing the file. Loopback only.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [port, accountsFile, redirectUri, clientId, clientSecret] = process.argv.slice(2);
const moduleDir = process.env.PLANLOKET_OIDC_PROVIDER;
const { default: Provider } = await import(pathToFileURL(`${moduleDir}/lib/index.js`).href);

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    // The OpenID Connect default: the client authenticates with HTTP Basic.
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // Every authorization request must carry a PKCE challenge (S256).
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'roles'],
  },
  // The claims of the scopes asked go into the ID token, as Entra ID and Keycloak put them.
  conformIdTokenClaims: false,
  cookies: { keys: ['planloket-test-provider-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const account = JSON.parse(readFileSync(accountsFile, 'utf8'))[id] || {};
        return {
          sub: id,
          email: account.email,
          email_verified: true,
          name: account.name,
          roles: account.roles || [],
        };
      },
    };
  },
  // planloket is the municipality's own application: no consent screen (as a first-party
  // client is set up at a real provider); what it asks is granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'roles']);
    await grant.save();
    return grant;
  },
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider listening at ${issuer}`);
});
