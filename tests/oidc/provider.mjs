// A real OpenID Connect provider for the tests: the certified `oidc-provider` package (from
// the repository's node_modules), on 127.0.0.1 at a free port.
//
//   node tests/oidc/provider.mjs '<json>'
//
// The JSON gives `clients` (client_id, client_secret, redirect_uris) and `accounts` (an
// account id -> its claims, e.g. {"email": "...", "email_verified": true}). The provider
// prints one line of JSON, {"issuer": "http://127.0.0.1:PORT"}, once it listens, and stops on
// SIGTERM. Sign-in uses the provider's own development pages: the login form takes an account
// id as the login (any password), then a consent form.
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? '{}');
const accounts = config.accounts ?? {};

const configuration = {
  clients: (config.clients ?? []).map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  // Every client must use PKCE (S256 is the only method this provider supports).
  pkce: { required: () => true },
  // Put the scope's claims (email, email_verified) in the ID token, as Entra ID does with
  // the optional `email` claim.
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  async findAccount(_ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  cookies: { keys: ['kdc-tests-only-not-a-secret'] },
  features: { devInteractions: { enabled: true } },
  ttl: { Session: 600, Interaction: 600, Grant: 600, AuthorizationCode: 60, IdToken: 300, AccessToken: 300 },
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
