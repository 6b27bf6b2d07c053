//! The needs-attention queues as `GET /api/v1/seller/attention` gives them, read loosely: each
//! queue `{count, items, action}` under `queues` (or at the top), in the order the seller should
//! see them; a queue that is missing is left out, one this console does not know is shown under
//! "other", so that a newer server loses nothing.

use crate::route::Place;
use crate::words::Word;
use serde_json::Value;

/// One queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    /// Its key in the answer.
    pub key: String,
    /// Its heading.
    pub word: Word,
    /// How many are in it (the items shown may be fewer).
    pub count: i64,
    /// The first items.
    pub items: Vec<Item>,
    /// Where the seller resolves it in the console, when the console can say.
    pub action: Option<Place>,
}

/// One item of a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What names it: a reference, a number, a provider, a webhook.
    pub label: String,
    /// A short detail (its stage, exception, error or deadline), when it has one.
    pub detail: Option<String>,
    /// The shipment's page, when the item is a shipment with a reference.
    pub place: Option<Place>,
}

/// The order and heading of the queues this console knows, by a part of their key.
const KNOWN: [(&str, Word); 5] = [
    ("exception", Word::QueueExceptions),
    ("stale", Word::QueueStale),
    ("pickup", Word::QueuePickup),
    ("webhook", Word::QueueWebhooks),
    ("key", Word::QueueKeys),
];

/// The most items a queue shows.
const MAX_ITEMS: usize = 20;

fn rank(key: &str) -> (usize, Word) {
    let key = key.to_ascii_lowercase();
    KNOWN
        .iter()
        .position(|(part, _)| key.contains(part))
        .or_else(|| key.contains("deliver").then_some(3))
        .map_or((KNOWN.len(), Word::QueueOther), |at| (at, KNOWN[at].1))
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) if !text.trim().is_empty() => {
            Some(text.chars().take(200).collect::<String>())
        }
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn item(value: &Value) -> Option<Item> {
    if let Some(label) = text(Some(value)) {
        return Some(Item {
            label,
            detail: None,
            place: None,
        });
    }
    let shipment = value.get("shipment");
    let in_shipment = |key: &str| text(shipment.and_then(|s| s.get(key)));
    let reference = text(value.get("reference"));
    let label = reference
        .clone()
        .or_else(|| in_shipment("tracking_number"))
        .or_else(|| in_shipment("order_number"))
        .or_else(|| text(value.get("tracking_number")))
        .or_else(|| text(value.get("order_number")))
        .or_else(|| text(value.get("number")))
        .or_else(|| text(value.get("provider")))
        .or_else(|| text(value.get("url")))
        .or_else(|| text(value.get("name")))
        .or_else(|| text(value.get("id")))?;
    let detail = ["error", "reason", "deadline", "until", "exception", "stage"]
        .iter()
        .find_map(|key| text(value.get(*key)))
        .or_else(|| in_shipment("exception"))
        .or_else(|| in_shipment("stage"));
    let place = reference
        .map(|reference| Place::of_hash(&format!("/shipment/{reference}")))
        .filter(|place| matches!(place, Place::Shipment(_)));
    Some(Item {
        label,
        detail,
        place,
    })
}

/// Where the console resolves a queue: the filtered list for parcels, the webhooks page for
/// deliveries and the keys page for refused keys (both owners').
fn action(word: Word) -> Option<Place> {
    match word {
        Word::QueueExceptions => Some(Place::Shipments {
            problems: true,
            stale: false,
        }),
        Word::QueueStale => Some(Place::Shipments {
            problems: false,
            stale: true,
        }),
        Word::QueuePickup => Some(Place::Shipments {
            problems: false,
            stale: false,
        }),
        Word::QueueWebhooks => Some(Place::Webhooks),
        Word::QueueKeys => Some(Place::Keys),
        _ => None,
    }
}

fn queue(key: &str, value: &Value) -> Option<Queue> {
    let (_, word) = rank(key);
    // The server's queues are `{count, shipments}` or `{count, deliveries}`, and its exceptions
    // a list of those, one a kind: read as one queue, their counts added.
    let parts: Vec<&Value> = match value {
        Value::Array(list) if list.iter().any(|part| part.get("shipments").is_some()) => {
            list.iter().collect()
        }
        _ => vec![value],
    };
    let mut items: Vec<Item> = Vec::new();
    let mut counted: Option<i64> = None;
    for part in parts {
        let listed = ["items", "shipments", "deliveries"]
            .iter()
            .find_map(|key| part.get(*key))
            .unwrap_or(part);
        if let Value::Array(listed) = listed {
            items.extend(listed.iter().filter_map(item));
        }
        if let Some(count) = part.get("count").and_then(Value::as_i64) {
            counted = Some(counted.unwrap_or(0).saturating_add(count.max(0)));
        }
    }
    items.truncate(MAX_ITEMS);
    let count = counted.unwrap_or(items.len() as i64).max(0);
    (value.is_object() || value.is_array()).then(|| Queue {
        key: key.chars().take(60).collect(),
        word,
        count,
        items,
        action: action(word),
    })
}

/// The queues in an answer, known ones first in their order; an answer of another shape gives
/// none.
pub fn queues(answer: &Value) -> Vec<Queue> {
    let holder = match answer.get("queues") {
        Some(queues) => queues,
        None => answer,
    };
    let mut found: Vec<Queue> = match holder {
        Value::Object(queues) => queues
            .iter()
            .filter_map(|(key, value)| queue(key, value))
            .collect(),
        // A list of queues, each naming itself.
        Value::Array(queues) => queues
            .iter()
            .filter_map(|value| {
                let key = ["kind", "queue", "name", "key"]
                    .iter()
                    .find_map(|key| text(value.get(*key)))?;
                queue(&key, value)
            })
            .collect(),
        _ => Vec::new(),
    };
    found.sort_by_key(|queue| rank(&queue.key).0);
    found
}

/// Whether nothing in the queues needs the seller.
pub fn all_clear(queues: &[Queue]) -> bool {
    queues.iter().all(|queue| queue.count == 0)
}
