//! TLS-inspection products, recognised by the names they give their CAs.

/// Words in a CA's subject, lower-cased, and the product they name.
const PRODUCTS: &[(&str, &str)] = &[
    ("zscaler", "Zscaler"),
    ("palo alto", "Palo Alto Networks"),
    ("paloalto", "Palo Alto Networks"),
    ("fortinet", "Fortinet FortiGate"),
    ("fortigate", "Fortinet FortiGate"),
    ("blue coat", "Broadcom/Symantec Blue Coat ProxySG"),
    ("bluecoat", "Broadcom/Symantec Blue Coat ProxySG"),
    ("netskope", "Netskope"),
    ("cisco umbrella", "Cisco Umbrella"),
    ("opendns", "Cisco Umbrella"),
    ("sophos", "Sophos"),
    ("kaspersky", "Kaspersky"),
    ("avast", "Avast"),
    ("avg technologies", "AVG"),
    ("eset", "ESET"),
    ("bitdefender", "Bitdefender"),
    ("mcafee", "McAfee/Skyhigh Web Gateway"),
    ("skyhigh", "McAfee/Skyhigh Web Gateway"),
    ("forcepoint", "Forcepoint"),
    ("websense", "Forcepoint (Websense)"),
    ("check point", "Check Point"),
    ("checkpoint", "Check Point"),
    ("barracuda", "Barracuda"),
    ("cloudflare for teams", "Cloudflare Zero Trust"),
    ("cloudflare gateway", "Cloudflare Zero Trust"),
    ("menlo security", "Menlo Security"),
    ("iboss", "iboss"),
    ("lightspeed", "Lightspeed Systems"),
    ("smoothwall", "Smoothwall"),
    ("goguardian", "GoGuardian"),
    ("securly", "Securly"),
    ("contentkeeper", "ContentKeeper"),
    ("watchguard", "WatchGuard"),
    ("sonicwall", "SonicWall"),
    ("trend micro", "Trend Micro"),
    ("untangle", "Untangle"),
    ("cato networks", "Cato Networks"),
    ("juniper", "Juniper"),
    ("mitmproxy", "mitmproxy"),
    ("portswigger", "Burp Suite"),
    ("fiddler", "Fiddler"),
    ("charles proxy", "Charles Proxy"),
    ("squid", "Squid (ssl-bump)"),
];

/// The product a CA name points to, if any.
pub fn product(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    PRODUCTS
        .iter()
        .find(|(word, _)| contains_word(&lower, word))
        .map(|(_, product)| *product)
}

/// `word` occurs in `text` not as part of a longer alphanumeric word (so that
/// "eset" does not match "reset").
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_by_ca_name() {
        assert_eq!(
            product("CN=Zscaler Root CA,O=Zscaler Inc."),
            Some("Zscaler")
        );
        assert_eq!(
            product("CN=FortiGate CA,O=Fortinet"),
            Some("Fortinet FortiGate")
        );
        assert_eq!(product("CN=mitmproxy,O=mitmproxy"), Some("mitmproxy"));
        assert_eq!(product("CN=Corp Reset Authority"), None);
        assert_eq!(
            product("CN=ISRG Root X1,O=Internet Security Research Group"),
            None
        );
    }
}
