//! The OpenID Connect client (the relying party) for single sign-on through the municipality's
//! identity provider: discovery, the authorization request (Authorization Code with PKCE,
//! `state` and `nonce`), the code's exchange at the token endpoint (`client_secret_basic`)
//! and the ID token's checks (signature from the provider's keys, issuer, audience, expiry,
//! nonce), all by the `openidconnect` crate. What the identity means to planloket is
//! `app::single_sign_on`'s and `domain::single_sign_on`'s.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};

use crate::domain::single_sign_on::RoleMap;

/// The provider as configured (`PLANLOKET_OIDC_*`).
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// As the sign-in button names it: "Inloggen met <name>".
    pub name: String,
    /// Where the ID token holds the provider's role names (`roles`, or a dotted path).
    pub roles_claim: String,
    pub role_map: RoleMap,
    /// Whether the provider's sign-in counts as the second factor.
    pub trust_mfa: bool,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("name", &self.name)
            .field("roles_claim", &self.roles_claim)
            .field("trust_mfa", &self.trust_mfa)
            .finish()
    }
}

impl OidcSettings {
    /// Reads `PLANLOKET_OIDC_*`: none when no issuer is set; with one, the client's id and
    /// secret and the role map are needed, and every bad value is named.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<OidcSettings>, String> {
        let Some(issuer) = var("PLANLOKET_OIDC_ISSUER") else {
            return Ok(None);
        };
        IssuerUrl::new(issuer.clone())
            .map_err(|e| format!("PLANLOKET_OIDC_ISSUER is not a URL: {e}"))?;
        let need =
            |k: &str| var(k).ok_or_else(|| format!("{k} is needed with PLANLOKET_OIDC_ISSUER"));
        let trust_mfa = match var("PLANLOKET_OIDC_TRUST_MFA").as_deref().map(str::trim) {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                return Err(format!(
                    "PLANLOKET_OIDC_TRUST_MFA must be 1 or 0, not '{other}'"
                ))
            }
        };
        Ok(Some(OidcSettings {
            issuer,
            client_id: need("PLANLOKET_OIDC_CLIENT_ID")?,
            client_secret: need("PLANLOKET_OIDC_CLIENT_SECRET")?,
            name: var("PLANLOKET_OIDC_NAME").unwrap_or_else(|| "uw organisatie".into()),
            roles_claim: var("PLANLOKET_OIDC_ROLES_CLAIM").unwrap_or_else(|| "roles".into()),
            role_map: RoleMap::parse(&need("PLANLOKET_OIDC_ROLE_MAP")?)?,
            trust_mfa,
        }))
    }
}

/// Why the provider's sign-in could not be used.
#[derive(Debug)]
pub enum SsoError {
    /// The provider cannot be reached, or its metadata cannot be read (the cause, logged).
    Unavailable(String),
    /// The provider refused the code (expired, used, not for this client), or its answer
    /// fails a check (signature, issuer, audience, nonce): the cause, logged.
    Refused(String),
}

/// An authorization request on its way: where to send the browser, and what the callback is
/// checked against.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who the provider says signed in (after every check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    /// The provider's role names from the configured claim.
    pub roles: Vec<String>,
}

/// The provider's metadata and keys are read again after this long (keys rotate).
const METADATA_TTL: Duration = Duration::from_secs(300);

/// The relying party: settings, an HTTP client that follows no redirects (a redirect could
/// lead a request anywhere), and the provider's metadata, cached.
pub struct Provider {
    pub settings: OidcSettings,
    redirect_uri: String,
    http: ureq::Agent,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl Provider {
    pub fn new(settings: OidcSettings, public_url: &str) -> Provider {
        Provider {
            settings,
            redirect_uri: format!("{}/inloggen/oidc", public_url.trim_end_matches('/')),
            http: ureq::AgentBuilder::new()
                .redirects(0)
                .timeout(Duration::from_secs(10))
                .build(),
            metadata: Mutex::new(None),
        }
    }

    /// The redirect URI registered at the provider.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, SsoError> {
        let mut cached = self
            .metadata
            .lock()
            .map_err(|_| SsoError::Unavailable("metadata lock poisoned".into()))?;
        if let Some((at, m)) = cached.as_ref() {
            if !fresh && at.elapsed() < METADATA_TTL {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| SsoError::Unavailable(format!("issuer: {e}")))?;
        let m = CoreProviderMetadata::discover(&issuer, &self.http)
            .map_err(|e| SsoError::Unavailable(format!("discovery: {e}")))?;
        *cached = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SsoError,
    > {
        let redirect = RedirectUrl::new(self.redirect_uri.clone())
            .map_err(|e| SsoError::Unavailable(format!("redirect URI: {e}")))?;
        // `client_secret_basic` is the crate's default way to authenticate at the token
        // endpoint, and OpenID Connect's.
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// A new authorization request: random `state` and `nonce`, a PKCE verifier and its S256
    /// challenge, asking `openid email profile`.
    pub fn begin(&self) -> Result<AuthRequest, SsoError> {
        let client = self.client(self.metadata(false)?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(AuthRequest {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the callback's code (with the request's PKCE verifier) and checks the ID
    /// token against the request's nonce; the identity it names.
    pub fn finish(
        &self,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<Identity, SsoError> {
        let client = self.client(self.metadata(false)?)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SsoError::Unavailable(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request(&self.http)
            .map_err(|e| SsoError::Refused(format!("token endpoint: {e}")))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| SsoError::Refused("the token response has no ID token".into()))?;
        let nonce = Nonce::new(nonce.to_string());
        let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => claims.clone(),
            // The provider may have rotated its keys since they were read: once more, with
            // its keys read again.
            Err(first) => {
                let fresh = self.client(self.metadata(true)?)?;
                let verifier = fresh.id_token_verifier();
                let claims = id_token
                    .claims(&verifier, &nonce)
                    .map_err(|e| SsoError::Refused(format!("id token: {e} ({first})")))?
                    .clone();
                claims
            }
        };
        // The token is verified: its payload is read once more for the roles claim, which the
        // crate's standard claims do not carry.
        let raw = id_token.to_string();
        let payload = raw
            .split('.')
            .nth(1)
            .and_then(|p| {
                use base64::Engine;
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .unwrap_or_default();
        Ok(Identity {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            roles: crate::domain::single_sign_on::claimed_roles(
                &payload,
                &self.settings.roles_claim,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn single_sign_on_is_configured_whole_or_not_at_all() {
        assert!(OidcSettings::from_env(env(&[])).unwrap().is_none());
        let full = [
            (
                "PLANLOKET_OIDC_ISSUER",
                "https://login.example.nl/realms/gemeente",
            ),
            ("PLANLOKET_OIDC_CLIENT_ID", "planloket"),
            ("PLANLOKET_OIDC_CLIENT_SECRET", "geheim"),
            ("PLANLOKET_OIDC_ROLE_MAP", "planloket-team=programme_team"),
            ("PLANLOKET_OIDC_TRUST_MFA", "1"),
        ];
        let s = OidcSettings::from_env(env(&full)).unwrap().unwrap();
        assert_eq!(
            (s.name.as_str(), s.roles_claim.as_str(), s.trust_mfa),
            ("uw organisatie", "roles", true)
        );
        assert!(
            !format!("{s:?}").contains("geheim"),
            "the secret is never printed"
        );
        let missing = OidcSettings::from_env(env(&full[..3])).unwrap_err();
        assert!(missing.contains("PLANLOKET_OIDC_ROLE_MAP"), "{missing}");
        let mut wrong = full.to_vec();
        wrong[4] = ("PLANLOKET_OIDC_TRUST_MFA", "ja");
        assert!(OidcSettings::from_env(env(&wrong))
            .unwrap_err()
            .contains("TRUST_MFA"));
        wrong[0] = ("PLANLOKET_OIDC_ISSUER", "geen url");
        assert!(OidcSettings::from_env(env(&wrong))
            .unwrap_err()
            .contains("ISSUER"));
    }
}
