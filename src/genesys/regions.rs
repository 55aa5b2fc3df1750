//! Genesys Cloud regions: hosts are per region (`api.<domain>`, `login.<domain>`), never per org.

/// (AWS region name, region domain), from `purecloud_region_hosts.py` in the official SDK.
pub const REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "mypurecloud.com"),
    ("eu-west-1", "mypurecloud.ie"),
    ("ap-southeast-2", "mypurecloud.com.au"),
    ("ap-northeast-1", "mypurecloud.jp"),
    ("eu-central-1", "mypurecloud.de"),
    ("us-west-2", "usw2.pure.cloud"),
    ("ca-central-1", "cac1.pure.cloud"),
    ("ap-northeast-2", "apne2.pure.cloud"),
    ("eu-west-2", "euw2.pure.cloud"),
    ("ap-south-1", "aps1.pure.cloud"),
    ("us-east-2", "use2.us-gov-pure.cloud"),
    ("sa-east-1", "sae1.pure.cloud"),
    ("me-central-1", "mec1.pure.cloud"),
    ("ap-northeast-3", "apne3.pure.cloud"),
    ("eu-central-2", "euc2.pure.cloud"),
    ("mx-central-1", "mxc1.pure.cloud"),
    ("ap-southeast-1", "apse1.pure.cloud"),
    ("eusc-de-east-1", "edee1.eusc-pure.cloud"),
];

/// The region domain for a domain or AWS region name. Tolerates what people paste: case,
/// whitespace, a scheme, an `api.`/`login.` host prefix and a trailing slash. AWS names may be
/// written with `_` for `-`: the official `gc` CLI spells three of its region keys that way
/// (`me_central_1`, `ap_northeast_3`, `eu_central_2` in `RegionMappings`,
/// MyPureCloud/platform-client-sdk-cli `build/gc/config/config.go`), so a profile's
/// `environment` copied from it must resolve too.
pub fn resolve_region(input: &str) -> Option<&'static str> {
    let s = input.trim().to_ascii_lowercase();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(&s);
    let s = s.trim_end_matches('/');
    let s = s
        .strip_prefix("api.")
        .or_else(|| s.strip_prefix("login."))
        .unwrap_or(s);
    let dashed = s.replace('_', "-");
    REGIONS
        .iter()
        .find(|(aws, domain)| *aws == dashed || *domain == s)
        .map(|(_, domain)| *domain)
}

/// Whether `host` is a Genesys Cloud API host (`api.<known domain>`), whose login host differs.
pub fn login_host_for(host: &str) -> Option<String> {
    let domain = host.to_ascii_lowercase();
    let domain = domain.strip_prefix("api.")?;
    REGIONS
        .iter()
        .any(|(_, d)| *d == domain)
        .then(|| format!("login.{domain}"))
}

/// A one-line list of valid values, for error messages.
pub fn valid_regions_hint() -> String {
    let list: Vec<String> = REGIONS
        .iter()
        .map(|(aws, domain)| format!("{domain} ({aws})"))
        .collect();
    format!(
        "use a region domain or AWS region name: {}",
        list.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_domains_aws_names_and_pasted_hosts() {
        assert_eq!(resolve_region("eu-west-1"), Some("mypurecloud.ie"));
        assert_eq!(resolve_region(" MyPureCloud.IE "), Some("mypurecloud.ie"));
        assert_eq!(
            resolve_region("https://api.usw2.pure.cloud/"),
            Some("usw2.pure.cloud")
        );
        assert_eq!(
            resolve_region("eusc-de-east-1"),
            Some("edee1.eusc-pure.cloud")
        );
        assert_eq!(resolve_region("mygen.com"), None);
        // The gc CLI's spellings.
        assert_eq!(resolve_region("me_central_1"), Some("mec1.pure.cloud"));
        assert_eq!(resolve_region("ap_northeast_3"), Some("apne3.pure.cloud"));
        assert_eq!(resolve_region("EU_CENTRAL_2"), Some("euc2.pure.cloud"));
        assert_eq!(resolve_region("eu_west_1"), Some("mypurecloud.ie"));
        assert_eq!(resolve_region("us-east-9"), None);
    }

    #[test]
    fn login_host_only_for_known_api_hosts() {
        assert_eq!(
            login_host_for("api.mypurecloud.de").as_deref(),
            Some("login.mypurecloud.de")
        );
        assert_eq!(login_host_for("api.corp.example"), None);
        assert_eq!(login_host_for("127.0.0.1"), None);
    }
}
