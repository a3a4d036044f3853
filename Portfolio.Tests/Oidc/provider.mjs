// A real OpenID Connect provider for the sign-in tests: npm's oidc-provider (certified), with its development
// login form (any login, any password). The login is the person's email address; the claims it gives:
// email, name, and roles ["portfolio-viewers"] for a login that starts with "viewer", none otherwise.
// Usage: node provider.mjs <port> <redirect uri>   (prints "listening <issuer>" when ready)
import Provider from 'oidc-provider'

const [port, redirectUri] = process.argv.slice(2)
const issuer = `http://127.0.0.1:${port}`
const provider = new Provider(issuer, {
  clients: [{
    client_id: 'portfolio',
    client_secret: 'portfolio-test-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post'
  }],
  claims: { email: ['email', 'email_verified'], profile: ['name'], roles: ['roles'] },
  async findAccount (ctx, id) {
    return {
      accountId: id,
      async claims () {
        return { sub: id, email: id, email_verified: true, name: `Oidc ${id.split('@')[0]}`, roles: id.startsWith('viewer') ? ['portfolio-viewers'] : [] }
      }
    }
  },
  features: { devInteractions: { enabled: true } }
})
provider.listen(Number(port), '127.0.0.1', () => console.log(`listening ${issuer}`))
