//! The API's access tokens: HS256 JWTs signed with the configured secret, naming the account.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Error, Unauthorized};
use crate::domain::second_factor::StaffMfa;

/// Token lifetime in seconds (one hour).
pub const TOKEN_LIFETIME: i64 = 3600;
/// Issuer and audience of every token.
pub const TOKEN_ISSUER: &str = "planloket";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    /// The account's session epoch when the token was issued (`Account::session_epoch`).
    ep: i64,
    /// Signed in with a second factor (a code, or the identity provider's sign-in where it
    /// is trusted for one). Tokens from before there were second factors lack it: false.
    #[serde(default)]
    mfa: bool,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// Who a valid token says the caller is: the account, the session epoch it was issued in,
/// whether its sign-in had a second factor, and the service's policy on that for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    pub user_id: String,
    pub epoch: i64,
    pub second_factor: bool,
    pub policy: StaffMfa,
}

/// Signs and checks access tokens with the configured secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    policy: StaffMfa,
}

impl Tokens {
    pub fn new(secret: &[u8], policy: StaffMfa) -> Tokens {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[TOKEN_ISSUER]);
        validation.set_audience(&[TOKEN_ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            policy,
        }
    }

    /// A token for an account in its current session epoch, valid `TOKEN_LIFETIME` seconds;
    /// `second_factor` when the sign-in had one.
    pub fn issue(&self, user_id: &str, epoch: i64, second_factor: bool) -> Result<String, Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            ep: epoch,
            mfa: second_factor,
            iat: now,
            exp: now + TOKEN_LIFETIME,
            iss: TOKEN_ISSUER.into(),
            aud: TOKEN_ISSUER.into(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::Internal(format!("cannot sign a token: {e}")))
    }

    /// The user id of a valid token; any other algorithm, key, issuer, audience or an expired
    /// token is refused.
    pub fn verify(&self, token: &str) -> Result<Bearer, Error> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| Bearer {
                user_id: d.claims.sub,
                epoch: d.claims.ep,
                second_factor: d.claims.mfa,
                policy: self.policy,
            })
            .map_err(|_| Error::Unauthorized(Unauthorized::Token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_from_another_key_are_refused() {
        let a = Tokens::new(&[1u8; 32], StaffMfa::Required);
        let b = Tokens::new(&[2u8; 32], StaffMfa::Required);
        let t = a.issue("user-1", 3, true).unwrap();
        assert_eq!(
            a.verify(&t).unwrap(),
            Bearer {
                user_id: "user-1".into(),
                epoch: 3,
                second_factor: true,
                policy: StaffMfa::Required,
            }
        );
        assert!(b.verify(&t).is_err());
    }
}
