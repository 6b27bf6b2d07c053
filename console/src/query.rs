//! The shipments list's query: what the seller chose (a stage tab, a number, the filters, the
//! order) and the cursor of the next page, as `GET /api/v1/seller/shipments` reads it.

/// The exception filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Problems {
    /// Every shipment.
    #[default]
    Any,
    /// Only those with an exception.
    With,
    /// Only those without.
    Without,
}

/// The list's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Last written first (the server's default).
    #[default]
    Updated,
    /// Last created first.
    Created,
    /// By reference.
    Reference,
}

impl Order {
    /// Its wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Updated => "updated",
            Order::Created => "created",
            Order::Reference => "reference",
        }
    }

    /// The order a control's value names (the default for any other).
    pub fn from_value(value: &str) -> Order {
        match value {
            "created" => Order::Created,
            "reference" => Order::Reference,
            _ => Order::Updated,
        }
    }
}

impl Problems {
    /// Its control value.
    pub fn as_str(self) -> &'static str {
        match self {
            Problems::Any => "",
            Problems::With => "any",
            Problems::Without => "none",
        }
    }

    /// The filter a control's value names.
    pub fn from_value(value: &str) -> Problems {
        match value {
            "any" => Problems::With,
            "none" => Problems::Without,
            _ => Problems::Any,
        }
    }
}

/// What the list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    /// Only this stage (its wire name); none for every stage.
    pub stage: Option<String>,
    /// A number as typed.
    pub search: String,
    /// The exception filter.
    pub problems: Problems,
    /// Only shipments gone stale.
    pub stale: bool,
    /// The order.
    pub order: Order,
    /// The page after this cursor.
    pub cursor: Option<String>,
}

/// The longest search the server takes.
const MAX_SEARCH: usize = 100;

impl ListQuery {
    /// The query string, `?` included, or empty for the default list; only what differs from
    /// the server's defaults is sent.
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(stage) = self.stage.as_deref().filter(|stage| !stage.is_empty()) {
            query.append_pair("stage", stage);
        }
        let search: String = self.search.trim().chars().take(MAX_SEARCH).collect();
        if !search.is_empty() {
            query.append_pair("q", &search);
        }
        if self.problems != Problems::Any {
            query.append_pair("exception", self.problems.as_str());
        }
        if self.stale {
            query.append_pair("stale", "true");
        }
        if self.order != Order::Updated {
            query.append_pair("sort", self.order.as_str());
        }
        if let Some(cursor) = &self.cursor {
            query.append_pair("cursor", cursor);
        }
        let query = query.finish();
        if query.is_empty() {
            query
        } else {
            format!("?{query}")
        }
    }

    /// The same list from its first page (a filter changed).
    pub fn first_page(&self) -> ListQuery {
        ListQuery {
            cursor: None,
            ..self.clone()
        }
    }
}
