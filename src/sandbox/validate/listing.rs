//! Query strings of the listings (`GET` contact lists, scripts, campaigns, queues): paging, the
//! outbound name filter and the two sort-order vocabularies, each refused with a 400 naming the
//! parameter.

use crate::sandbox::wire::{ApiError, Params};

/// `pageSize` (1..=`max_size`, default 25) and `pageNumber` (1-based, default 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub size: u64,
    pub number: u64,
}

pub(crate) fn page(p: &Params, max_size: u64) -> Result<Page, ApiError> {
    Ok(Page {
        size: p.int("pageSize", 25, 1, max_size)?,
        number: p.int("pageNumber", 1, 1, 1_000_000)?,
    })
}

/// The outbound `name` + `filterType` filter, case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameFilter {
    Equals(String),
    Contains(String),
    Prefix(String),
    EndsWith(String),
}

impl NameFilter {
    pub fn matches(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        match self {
            Self::Equals(n) => name == *n,
            Self::Contains(n) => name.contains(n.as_str()),
            Self::Prefix(n) => name.starts_with(n.as_str()),
            Self::EndsWith(n) => name.ends_with(n.as_str()),
        }
    }
}

/// `name` with `filterType` (default Prefix; `BeginsWith` is its alias); `None` without `name`.
pub(crate) fn outbound_name_filter(p: &Params) -> Result<Option<NameFilter>, ApiError> {
    let Some(name) = p.get("name").map(str::to_lowercase) else {
        return Ok(None);
    };
    let filter = match p.get("filterType").unwrap_or("Prefix") {
        "Equals" => NameFilter::Equals(name),
        "Contains" => NameFilter::Contains(name),
        "Prefix" | "BeginsWith" => NameFilter::Prefix(name),
        "EndsWith" => NameFilter::EndsWith(name),
        other => {
            return Err(ApiError::invalid_field(
                "invalid.value",
                "INVALID_VALUE",
                "filterType",
                format!(
                    "filterType {other:?} is not simulated by the sandbox; use Equals, Prefix, Contains or EndsWith"
                ),
            ));
        }
    };
    Ok(Some(filter))
}

/// Outbound and scripts `sortOrder` (`ascending`/`asc`/`a` or `descending`/`desc`, any case);
/// true for descending.
pub(crate) fn outbound_descending(p: &Params) -> Result<bool, ApiError> {
    match p.get("sortOrder").map(str::to_ascii_lowercase).as_deref() {
        None | Some("ascending") | Some("asc") | Some("a") => Ok(false),
        Some("descending") | Some("desc") => Ok(true),
        Some(other) => Err(bad_sort_order(format!(
            "sortOrder {other:?} must be ascending or descending"
        ))),
    }
}

/// Routing `sortOrder` (`asc` or `desc`, exactly); true for descending.
pub(crate) fn routing_descending(p: &Params) -> Result<bool, ApiError> {
    match p.get("sortOrder") {
        None | Some("asc") => Ok(false),
        Some("desc") => Ok(true),
        Some(other) => Err(bad_sort_order(format!(
            "sortOrder {other:?} must be asc or desc"
        ))),
    }
}

fn bad_sort_order(message: String) -> ApiError {
    ApiError::invalid_field("invalid.value", "INVALID_VALUE", "sortOrder", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        Params::parse(Some(q))
    }

    #[test]
    fn paging_defaults_and_bounds() {
        assert_eq!(
            page(&params(""), 100).unwrap(),
            Page {
                size: 25,
                number: 1
            }
        );
        assert_eq!(
            page(&params("pageSize=500&pageNumber=3"), 500).unwrap(),
            Page {
                size: 500,
                number: 3
            }
        );
        for (q, field) in [
            ("pageSize=101", "pageSize"),
            ("pageSize=0", "pageSize"),
            ("pageNumber=0", "pageNumber"),
        ] {
            let e = page(&params(q), 100).unwrap_err();
            assert_eq!(
                e.details,
                [("INVALID_VALUE".to_string(), field.to_string())],
                "{q}"
            );
        }
    }

    #[test]
    fn name_filters() {
        let f = |q: &str| outbound_name_filter(&params(q)).unwrap();
        assert_eq!(f("filterType=Equals"), None, "no name, no filter");
        let prefix = f("name=Spring").unwrap();
        assert_eq!(prefix, NameFilter::Prefix("spring".into()));
        assert!(prefix.matches("SPRING renewals") && !prefix.matches("Late spring"));
        assert_eq!(f("name=spring&filterType=BeginsWith"), Some(prefix));
        let c = f("name=RENEW&filterType=Contains").unwrap();
        assert!(c.matches("Spring renewals (sandbox)") && !c.matches("Lapsed"));
        let e = f("name=(sandbox)&filterType=EndsWith").unwrap();
        assert!(e.matches("Spring renewals (Sandbox)") && !e.matches("(sandbox) x"));
        let eq = f("name=lapsed&filterType=Equals").unwrap();
        assert!(eq.matches("Lapsed") && !eq.matches("Lapsed customers"));
        let err = outbound_name_filter(&params("name=x&filterType=Regex")).unwrap_err();
        assert_eq!(
            err.details,
            [("INVALID_VALUE".to_string(), "filterType".to_string())]
        );
        assert!(err.message.contains("\"Regex\""), "{}", err.message);
    }

    #[test]
    fn sort_orders_per_vocabulary() {
        let out = |q: &str| outbound_descending(&params(q));
        let routing = |q: &str| routing_descending(&params(q));
        for q in ["", "sortOrder=ascending", "sortOrder=ASC", "sortOrder=a"] {
            assert!(!out(q).unwrap(), "{q}");
        }
        assert!(out("sortOrder=Descending").unwrap() && out("sortOrder=desc").unwrap());
        assert!(!routing("").unwrap() && !routing("sortOrder=asc").unwrap());
        assert!(routing("sortOrder=desc").unwrap());
        for e in [
            out("sortOrder=up").unwrap_err(),
            routing("sortOrder=DESC").unwrap_err(),
            routing("sortOrder=descending").unwrap_err(),
        ] {
            assert_eq!(
                e.details,
                [("INVALID_VALUE".to_string(), "sortOrder".to_string())]
            );
        }
        assert_eq!(
            out("sortOrder=UP").unwrap_err().message,
            "sortOrder \"up\" must be ascending or descending"
        );
        assert_eq!(
            routing("sortOrder=DESC").unwrap_err().message,
            "sortOrder \"DESC\" must be asc or desc"
        );
    }
}
