//! Single sign-on through the municipality's identity provider (OpenID Connect): which roles
//! the provider's groups give, and what an account's roles become at each sign-in. The
//! protocol itself (discovery, PKCE, the ID token's signature, issuer, audience and nonce) is
//! the `openidconnect` crate's, driven by `crate::sso`.

use serde_json::Value;

use super::user::Role;

/// The provider's role (or group) names and the planloket roles they give
/// (`PLANLOKET_OIDC_ROLE_MAP`: `planloket-team=programme_team,planloket-bestuur=board_member`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleMap(Vec<(String, Role)>);

impl RoleMap {
    /// Reads `name=role` pairs separated by commas; a role that does not exist, or a pair
    /// without `=`, is refused naming it. A provider name may give several roles (listed
    /// once each), and several names the same role.
    pub fn parse(raw: &str) -> Result<RoleMap, String> {
        let mut pairs = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, role)) = part.split_once('=') else {
                return Err(format!(
                    "PLANLOKET_OIDC_ROLE_MAP: '{part}' is not name=role"
                ));
            };
            let (name, role) = (name.trim(), role.trim());
            let Some(role) = Role::parse(role) else {
                return Err(format!(
                    "PLANLOKET_OIDC_ROLE_MAP: '{role}' is not a role (use one of {})",
                    Role::ALL.map(Role::as_str).join(", ")
                ));
            };
            if name.is_empty() {
                return Err(format!(
                    "PLANLOKET_OIDC_ROLE_MAP: '{part}' names no provider role"
                ));
            }
            pairs.push((name.to_string(), role));
        }
        if pairs.is_empty() {
            return Err("PLANLOKET_OIDC_ROLE_MAP names no role".into());
        }
        Ok(RoleMap(pairs))
    }

    /// The planloket roles the provider's names give, sorted, each once.
    pub fn roles_of(&self, given: &[String]) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .0
            .iter()
            .filter(|(name, _)| given.iter().any(|g| g == name))
            .map(|(_, role)| *role)
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}

/// The role names in the claim at `path` (`roles`, or a dotted path such as Keycloak's
/// `realm_access.roles`): a list of strings, or one string; nothing else counts.
pub fn claimed_roles(claims: &Value, path: &str) -> Vec<String> {
    let found = path.split('.').try_fold(claims, |v, key| v.get(key));
    match found {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(String::from))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// An account's roles after a sign-in through the provider: exactly the roles the provider
/// gives now (one it no longer gives is gone at once), and the applicant role if the account
/// held it (filing plans is the person's own, not the provider's to give or take).
pub fn roles_after_sign_in(current: &[Role], from_provider: &[Role]) -> Vec<Role> {
    let mut roles = from_provider.to_vec();
    if current.contains(&Role::Applicant) {
        roles.push(Role::Applicant);
    }
    roles.sort();
    roles.dedup();
    roles
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_role_map_is_read_and_refuses_what_is_not_a_role() {
        let map = RoleMap::parse(
            "planloket-team=programme_team, planloket-bestuur=board_member,planloket-voorzitter=board_chair,planloket-voorzitter=board_member",
        )
        .unwrap();
        assert_eq!(
            map.roles_of(&["planloket-voorzitter".into(), "iets-anders".into()]),
            vec![Role::BoardMember, Role::BoardChair]
        );
        assert_eq!(map.roles_of(&[]), Vec::<Role>::new());
        assert!(RoleMap::parse("team=koning")
            .unwrap_err()
            .contains("koning"));
        assert!(RoleMap::parse("team").unwrap_err().contains("name=role"));
        assert!(RoleMap::parse("").is_err());
    }

    #[test]
    fn roles_are_read_from_a_claim_or_a_dotted_path() {
        let claims = json!({"roles": ["a", "b", 3], "realm_access": {"roles": ["c"]}, "one": "d"});
        assert_eq!(claimed_roles(&claims, "roles"), vec!["a", "b"]);
        assert_eq!(claimed_roles(&claims, "realm_access.roles"), vec!["c"]);
        assert_eq!(claimed_roles(&claims, "one"), vec!["d"]);
        assert!(claimed_roles(&claims, "groups").is_empty());
    }

    #[test]
    fn the_provider_decides_the_staff_roles_and_the_applicant_role_stays() {
        assert_eq!(
            roles_after_sign_in(
                &[Role::ProgrammeTeam, Role::BoardMember],
                &[Role::BoardMember]
            ),
            vec![Role::BoardMember]
        );
        assert_eq!(
            roles_after_sign_in(&[Role::Applicant], &[Role::Finance]),
            vec![Role::Applicant, Role::Finance]
        );
        assert!(roles_after_sign_in(&[Role::Admin], &[]).is_empty());
    }
}
