//! Russian Post's tracking service, single access: `getOperationHistory` over SOAP 1.2 at
//! `https://tracking.russianpost.ru/rtm34`, with the seller's login and password (from the
//! service's "Access settings"), which stay on the server.
//!
//! Only the operations are read: their type and attribute, date, place and names. The answer's
//! `UserParameters` (the sender's and the addressee's names) and `FinanceParameters` are never
//! parsed, let alone stored: the contract has no field for them.

pub mod mapping;

use super::check::{Answered, Exchange};
use super::{Pace, ProviderError, Reading};
use std::time::Duration;
use trackline_core::time::parse_rfc3339;
use trackline_core::Event;

/// Russian Post's production service.
pub const BASE_URL: &str = "https://tracking.russianpost.ru/rtm34";

/// The answer's namespace for data elements.
const DATA: &str = "http://russianpost.org/operationhistory/data";

/// A client of the service at `url` (a local fake in tests).
#[derive(Debug, Clone)]
pub struct RussianPost {
    url: String,
    client: reqwest::Client,
    pace: Pace,
}

impl RussianPost {
    /// A client of the service at `url`.
    pub fn new(url: &str) -> RussianPost {
        RussianPost {
            url: url.to_owned(),
            client: super::http_client(),
            // Five requests a second from an instance at most.
            pace: Pace::every(Duration::from_millis(200)),
        }
    }

    /// The operations on the parcel `barcode` (an S10 number or 14 digits), in Russian.
    ///
    /// # Errors
    /// `ProviderError` saying whether the keys were refused, the number refused, the service
    /// unavailable, or the answer unreadable.
    pub async fn track(
        &self,
        login: &str,
        password: &str,
        barcode: &str,
    ) -> Result<Reading, ProviderError> {
        self.pace.turn().await;
        let sent = self
            .client
            .post(&self.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/soap+xml; charset=utf-8",
            )
            .body(request(login, password, barcode))
            .send()
            .await
            .map_err(ProviderError::unreachable)?;
        let status = sent.status();
        let body = sent.text().await.map_err(ProviderError::unreachable)?;
        // A SOAP fault comes with a 500: read it before calling the status a failure.
        match read(&body) {
            Err(ProviderError::BadAnswer(_)) if status.is_server_error() => {
                Err(ProviderError::Unavailable(format!("HTTP {status}")))
            }
            other => other,
        }
    }
}

/// The number a check asks about: an S10 number with a right check digit (serial 00000000)
/// that no parcel carries, so that the answer tells of the keys and of nobody's parcel.
const CHECK_BARCODE: &str = "RA000000005RU";

impl RussianPost {
    /// A check of the seller's login and password. The tracking service has no call of its own
    /// for that (its specification documents `getOperationHistory` and the batch calls only), so
    /// the check is the cheapest read there is: one `getOperationHistory` for a number of the
    /// right shape. The service answers wrong keys with an `AuthorizationFault`; any other
    /// answer (the operations, or a fault for the number) got past the keys.
    pub async fn check(&self, login: &str, password: &str) -> Answered {
        self.pace.turn().await;
        let request = self
            .client
            .post(&self.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/soap+xml; charset=utf-8",
            )
            .body(request(login, password, CHECK_BARCODE));
        let exchange = match Exchange::of(request).await {
            Ok(exchange) => exchange,
            Err(answered) => return answered,
        };
        // An answer that is not the service's (a proxy's page) says nothing of the keys,
        // whatever its status.
        let not_the_service = |exchange: &Exchange| match exchange.status.is_success() {
            true => Answered::Unexpected(exchange.status.as_u16(), None),
            false => exchange.by_status(),
        };
        let Ok(document) = roxmltree::Document::parse(&exchange.body) else {
            return not_the_service(&exchange);
        };
        let root = document.root();
        match named(root, "Fault") {
            Some(fault) if named(fault, "AuthorizationFault").is_some() => Answered::Refused(
                named(fault, "Text")
                    .and_then(|text| text.text())
                    .map(str::to_owned),
            ),
            Some(_) => Answered::Accepted,
            None if named(root, "OperationHistoryData").is_some() => Answered::Accepted,
            None => not_the_service(&exchange),
        }
    }
}

/// The request's envelope, as the service's specification shows it.
fn request(login: &str, password: &str, barcode: &str) -> String {
    let text = |value: &str| html_escape::encode_safe(value).into_owned();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:oper="http://russianpost.org/operationhistory" xmlns:data="http://russianpost.org/operationhistory/data" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
<soap:Header/>
<soap:Body>
<oper:getOperationHistory>
<data:OperationHistoryRequest>
<data:Barcode>{}</data:Barcode>
<data:MessageType>0</data:MessageType>
<data:Language>RUS</data:Language>
</data:OperationHistoryRequest>
<data:AuthorizationHeader soapenv:mustUnderstand="1">
<data:login>{}</data:login>
<data:password>{}</data:password>
</data:AuthorizationHeader>
</oper:getOperationHistory>
</soap:Body>
</soap:Envelope>"#,
        text(barcode),
        text(login),
        text(password)
    )
}

/// Reads an answer: the operations, or the fault it names.
///
/// # Errors
/// `Unauthorized` for an `AuthorizationFault`, `Refused` for another fault, `BadAnswer` for
/// anything that is not the service's answer.
pub fn read(body: &str) -> Result<Reading, ProviderError> {
    let document = roxmltree::Document::parse(body)
        .map_err(|error| ProviderError::BadAnswer(error.to_string()))?;
    let root = document.root();
    if let Some(fault) = named(root, "Fault") {
        let reason = named(fault, "Text")
            .and_then(|text| text.text())
            .unwrap_or_default()
            .trim()
            .to_owned();
        return Err(if named(fault, "AuthorizationFault").is_some() {
            ProviderError::Unauthorized
        } else {
            ProviderError::Refused(reason)
        });
    }
    let data = named(root, "OperationHistoryData")
        .ok_or_else(|| ProviderError::BadAnswer("no OperationHistoryData".into()))?;
    let mut operations = Vec::new();
    for record in data
        .children()
        .filter(|node| node.is_element() && node.tag_name().name() == "historyRecord")
    {
        let Some(parameters) = child(record, "OperationParameters") else {
            continue;
        };
        let code = |name: &str| {
            child(parameters, name).map(|part| {
                let id = text_of(child(part, "Id")).and_then(|id| id.parse::<u32>().ok());
                (id, text_of(child(part, "Name")))
            })
        };
        let (Some((Some(oper_type), type_name)), attr) = (code("OperType"), code("OperAttr"))
        else {
            continue;
        };
        let Some(at) =
            text_of(child(parameters, "OperDate")).filter(|at| parse_rfc3339(at).is_some())
        else {
            continue;
        };
        let (oper_attr, attr_name) = attr.unwrap_or((Some(0), None));
        let place = child(record, "AddressParameters")
            .and_then(|address| child(address, "OperationAddress"))
            .and_then(|address| text_of(child(address, "Description")));
        let words = match (type_name, attr_name) {
            (Some(kind), Some(attr)) => format!("{kind}: {attr}"),
            (Some(kind), None) => kind,
            (None, Some(attr)) => attr,
            (None, None) => format!("{oper_type}.{}", oper_attr.unwrap_or(0)),
        };
        let status = mapping::map(oper_type, oper_attr.unwrap_or(0));
        operations.push((
            Event {
                at,
                stage: status.as_ref().map(|(stage, _)| stage.clone()),
                exception: status.as_ref().and_then(|(_, exception)| exception.clone()),
                text: words,
                text_lang: Some("ru".to_owned()),
                location: place,
            },
            status,
        ));
    }
    Ok(Reading::of(operations))
}

/// The first element below `node`, at any depth, named `name` in any namespace.
fn named<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.descendants()
        .find(|found| found.is_element() && found.tag_name().name() == name)
}

/// The child of `node` named `name` in the answer's data namespace.
fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children().find(|found| {
        found.is_element()
            && found.tag_name().namespace() == Some(DATA)
            && found.tag_name().name() == name
    })
}

/// An element's text, trimmed; `None` when it is absent or empty.
fn text_of(node: Option<roxmltree::Node>) -> Option<String> {
    node.and_then(|node| node.text())
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trackline_core::{Exception, Stage};

    /// An answer shaped as the specification's example, with its sender and addressee.
    const ANSWER: &str = r#"<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body>
<ns7:getOperationHistoryResponse xmlns:ns3="http://russianpost.org/operationhistory/data" xmlns:ns7="http://russianpost.org/operationhistory">
<ns3:OperationHistoryData>
<ns3:historyRecord>
<ns3:AddressParameters><ns3:OperationAddress><ns3:Index>111555</ns3:Index><ns3:Description>Москва 555</ns3:Description></ns3:OperationAddress></ns3:AddressParameters>
<ns3:OperationParameters><ns3:OperType><ns3:Id>1</ns3:Id><ns3:Name>Прием</ns3:Name></ns3:OperType><ns3:OperAttr><ns3:Id>1</ns3:Id><ns3:Name>Единичный</ns3:Name></ns3:OperAttr><ns3:OperDate>2026-11-20T18:08:00.000+03:00</ns3:OperDate></ns3:OperationParameters>
<ns3:UserParameters><ns3:Sndr>ИВАНОВ И Н</ns3:Sndr><ns3:Rcpn>ПЕТРОВ Н И</ns3:Rcpn></ns3:UserParameters>
</ns3:historyRecord>
<ns3:historyRecord>
<ns3:AddressParameters><ns3:OperationAddress><ns3:Index>420000</ns3:Index><ns3:Description>Казань 420000</ns3:Description></ns3:OperationAddress></ns3:AddressParameters>
<ns3:OperationParameters><ns3:OperType><ns3:Id>8</ns3:Id><ns3:Name>Обработка</ns3:Name></ns3:OperType><ns3:OperAttr><ns3:Id>2</ns3:Id><ns3:Name>Прибыло в место вручения</ns3:Name></ns3:OperAttr><ns3:OperDate>2026-11-23T09:15:00.000+03:00</ns3:OperDate></ns3:OperationParameters>
<ns3:UserParameters><ns3:Sndr>ИВАНОВ И Н</ns3:Sndr><ns3:Rcpn>ПЕТРОВ Н И</ns3:Rcpn></ns3:UserParameters>
</ns3:historyRecord>
<ns3:historyRecord>
<ns3:OperationParameters><ns3:OperType><ns3:Id>37</ns3:Id><ns3:Name>Неизвестная операция</ns3:Name></ns3:OperType><ns3:OperDate>2026-11-23T10:00:00.000+03:00</ns3:OperDate></ns3:OperationParameters>
</ns3:historyRecord>
</ns3:OperationHistoryData></ns7:getOperationHistoryResponse></S:Body></S:Envelope>"#;

    #[test]
    fn operations_become_events_and_the_newest_that_says_a_status_is_the_status() {
        let reading = read(ANSWER).unwrap();
        assert_eq!(reading.status, Some((Stage::ReadyForPickup, None)));
        assert_eq!(
            reading.updated_at.as_deref(),
            Some("2026-11-23T10:00:00.000+03:00")
        );
        assert_eq!(reading.status_text.as_deref(), Some("Неизвестная операция"));
        assert_eq!(reading.events.len(), 3);
        assert_eq!(
            reading.events[1].text,
            "Обработка: Прибыло в место вручения"
        );
        assert_eq!(
            reading.events[1].location.as_deref(),
            Some("Казань"),
            "the office's postcode is left out"
        );
        assert_eq!(reading.events[1].text_lang.as_deref(), Some("ru"));
        assert_eq!(
            reading.events[2].stage, None,
            "an operation we do not map moves nothing"
        );
        let everything = format!("{reading:?}");
        assert!(!everything.contains("ИВАНОВ") && !everything.contains("ПЕТРОВ"));
    }

    #[test]
    fn faults_say_what_failed() {
        let fault = |detail: &str| {
            format!(
                r#"<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body><S:Fault>
<S:Code><S:Value>S:Receiver</S:Value></S:Code><S:Reason><S:Text xml:lang="ru">Ошибка</S:Text></S:Reason>
<S:Detail>{detail}</S:Detail></S:Fault></S:Body></S:Envelope>"#
            )
        };
        assert_eq!(
            read(&fault(
                r#"<ns3:AuthorizationFault xmlns:ns3="http://russianpost.org/operationhistory/data">Неверный логин</ns3:AuthorizationFault>"#
            )),
            Err(ProviderError::Unauthorized)
        );
        assert_eq!(
            read(&fault(
                r#"<ns3:OperationHistoryFault xmlns:ns3="http://russianpost.org/operationhistory/data">Нет данных</ns3:OperationHistoryFault>"#
            )),
            Err(ProviderError::Refused("Ошибка".into()))
        );
        assert!(matches!(read("<html>"), Err(ProviderError::BadAnswer(_))));
        assert!(matches!(read("<a/>"), Err(ProviderError::BadAnswer(_))));
        let empty = r#"<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body><ns7:getOperationHistoryResponse xmlns:ns3="http://russianpost.org/operationhistory/data" xmlns:ns7="http://russianpost.org/operationhistory"><ns3:OperationHistoryData/></ns7:getOperationHistoryResponse></S:Body></S:Envelope>"#;
        let nothing = read(empty).unwrap();
        assert_eq!((nothing.status, nothing.events.len()), (None, 0));
    }

    #[test]
    fn the_request_is_the_specifications_with_the_values_escaped() {
        let sent = request("shop", "p<&>\"", "RA100000048RU");
        assert!(sent.contains("<data:Barcode>RA100000048RU</data:Barcode>"));
        assert!(sent.contains(r#"<data:AuthorizationHeader soapenv:mustUnderstand="1">"#));
        assert!(sent.contains("<data:password>p&lt;&amp;&gt;&quot;</data:password>"));
        assert!(roxmltree::Document::parse(&sent).is_ok());
    }

    #[test]
    fn only_returns_to_the_sender_and_customs_raise_exceptions_among_the_common_operations() {
        assert_eq!(mapping::map(2, 1), Some((Stage::Delivered, None)));
        assert_eq!(
            mapping::map(2, 2),
            Some((Stage::InTransit, Some(Exception::Returned)))
        );
        assert_eq!(
            mapping::map(11, 0),
            Some((Stage::InTransit, Some(Exception::CustomsHold)))
        );
        assert_eq!(mapping::map(99, 0), None);
    }
}
