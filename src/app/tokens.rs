//! The API's access tokens: HS256 JWTs signed with the configured secret, naming the account.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::{Error, Unauthorized};

/// Token lifetime in seconds (one hour).
pub const TOKEN_LIFETIME: i64 = 3600;
/// Issuer and audience of every token.
pub const TOKEN_ISSUER: &str = "planloket";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    /// The account's session epoch when the token was issued (`Account::session_epoch`).
    ep: i64,
    iat: i64,
    exp: i64,
    iss: String,
    aud: String,
}

/// Who a valid token says the caller is: the account, and the session epoch it was issued in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    pub user_id: String,
    pub epoch: i64,
}

/// Signs and checks access tokens with the configured secret.
#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Tokens {
    pub fn new(secret: &[u8]) -> Tokens {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[TOKEN_ISSUER]);
        validation.set_audience(&[TOKEN_ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// A token for an account in its current session epoch, valid `TOKEN_LIFETIME` seconds.
    pub fn issue(&self, user_id: &str, epoch: i64) -> Result<String, Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            ep: epoch,
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
            })
            .map_err(|_| Error::Unauthorized(Unauthorized::Token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_from_another_key_are_refused() {
        let a = Tokens::new(&[1u8; 32]);
        let b = Tokens::new(&[2u8; 32]);
        let t = a.issue("user-1", 3).unwrap();
        assert_eq!(
            a.verify(&t).unwrap(),
            Bearer {
                user_id: "user-1".into(),
                epoch: 3
            }
        );
        assert!(b.verify(&t).is_err());
    }
}
