//! A local stand-in for Russian Post's tracking service (single access), answering as its
//! specification documents: SOAP 1.2, the AuthorizationHeader, faults with a 500 for wrong keys
//! and unknown numbers, and the sender's and addressee's names that must not get through.
//! Passwords named for a check's unhappy answers: `limited` a 429 without `Retry-After` (the
//! specification documents no 429; a proxy in front of the service may send one), `broken` a 502
//! page, `captive` a 200 page that is not the service's (a captive portal), `slow` only
//! after a minute.

use axum::http::StatusCode;
use axum::Router;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The fake service: what each barcode answers, and how often each was asked.
#[derive(Clone, Default)]
pub struct FakeRussianPost {
    pub asked: Arc<Mutex<HashMap<String, usize>>>,
    /// Barcodes answered with a 503 and no envelope.
    pub down: Arc<Mutex<Vec<String>>>,
    /// How long every answer takes.
    pub delay: Arc<Mutex<Duration>>,
    /// The logins and passwords it was asked with, in order.
    pub keys_asked: Arc<Mutex<Vec<(String, String)>>>,
}

pub const LOGIN: &str = "shop-login";
pub const PASSWORD: &str = "s3cret";

fn record(
    oper_type: u32,
    oper_attr: u32,
    type_name: &str,
    attr_name: &str,
    at: &str,
    place: &str,
) -> String {
    format!(
        "<ns3:historyRecord><ns3:AddressParameters><ns3:OperationAddress><ns3:Index>420000</ns3:Index>\
         <ns3:Description>{place}</ns3:Description></ns3:OperationAddress></ns3:AddressParameters>\
         <ns3:OperationParameters><ns3:OperType><ns3:Id>{oper_type}</ns3:Id><ns3:Name>{type_name}</ns3:Name></ns3:OperType>\
         <ns3:OperAttr><ns3:Id>{oper_attr}</ns3:Id><ns3:Name>{attr_name}</ns3:Name></ns3:OperAttr>\
         <ns3:OperDate>{at}</ns3:OperDate></ns3:OperationParameters>\
         <ns3:UserParameters><ns3:SendCtg><ns3:Id>1</ns3:Id><ns3:Name>Население</ns3:Name></ns3:SendCtg>\
         <ns3:Sndr>ИВАНОВ И Н</ns3:Sndr><ns3:Rcpn>ПЕТРОВА АННА СЕРГЕЕВНА</ns3:Rcpn></ns3:UserParameters></ns3:historyRecord>"
    )
}

fn envelope(body: &str) -> String {
    format!(
        r#"<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body>{body}</S:Body></S:Envelope>"#
    )
}

fn fault(detail: &str, reason: &str) -> String {
    envelope(&format!(
        r#"<S:Fault><S:Code><S:Value>S:Sender</S:Value></S:Code><S:Reason><S:Text xml:lang="ru">{reason}</S:Text></S:Reason><S:Detail><ns3:{detail} xmlns:ns3="http://russianpost.org/operationhistory/data">{reason}</ns3:{detail}></S:Detail></S:Fault>"#
    ))
}

impl FakeRussianPost {
    /// Starts the fake on a free port: it, and its URL.
    pub async fn start() -> (FakeRussianPost, String) {
        let fake = FakeRussianPost::default();
        let state = fake.clone();
        let app = Router::new().route(
            "/rtm34",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    if body.contains("<data:password>slow</data:password>") {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                    let answer = state.answer(&headers, &body);
                    let delay = *state.delay.lock().unwrap();
                    tokio::time::sleep(delay).await;
                    answer
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/rtm34", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (fake, url)
    }

    /// Answers as the specification documents: a SOAP 1.2 request with the barcode and an
    /// AuthorizationHeader (mustUnderstand 1); a fault, with a 500, for wrong keys or a number it
    /// does not know.
    fn answer(&self, headers: &axum::http::HeaderMap, body: &str) -> (StatusCode, String) {
        let content_type = headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        assert!(
            content_type.starts_with("application/soap+xml"),
            "{content_type}"
        );
        let document = roxmltree::Document::parse(body).expect("the request is XML");
        let field = |name: &str| {
            document
                .descendants()
                .find(|node| node.tag_name().name() == name)
                .and_then(|node| node.text())
                .unwrap_or_default()
                .to_owned()
        };
        let header = document
            .descendants()
            .find(|node| node.tag_name().name() == "AuthorizationHeader")
            .expect("an AuthorizationHeader");
        assert!(header
            .attributes()
            .any(|a| a.name() == "mustUnderstand" && a.value() == "1"));
        assert_eq!(field("MessageType"), "0");
        let barcode = field("Barcode");
        *self
            .asked
            .lock()
            .unwrap()
            .entry(barcode.clone())
            .or_default() += 1;
        if self.down.lock().unwrap().contains(&barcode) {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable".into(),
            );
        }
        self.keys_asked
            .lock()
            .unwrap()
            .push((field("login"), field("password")));
        match field("password").as_str() {
            "limited" => return (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests".into()),
            "captive" => {
                return (
                    StatusCode::OK,
                    "<html><body>Sign in to the network</body></html>".into(),
                )
            }
            "broken" => {
                return (
                    StatusCode::BAD_GATEWAY,
                    "<html>502 Bad Gateway</html>".into(),
                )
            }
            _ => {}
        }
        if field("login") != LOGIN || field("password") != PASSWORD {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                fault("AuthorizationFault", "Ошибка авторизации"),
            );
        }
        if !barcode.ends_with("RU") {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                fault("OperationHistoryFault", "Отправление не найдено"),
            );
        }
        let records = [
            record(
                1,
                1,
                "Прием",
                "Единичный",
                "2026-11-20T18:08:00.000+03:00",
                "Москва 555",
            ),
            record(
                8,
                3,
                "Обработка",
                "Прибыло в сортировочный центр",
                "2026-11-21T06:10:00.000+03:00",
                "Казань СЦ",
            ),
            record(
                8,
                2,
                "Обработка",
                "Прибыло в место вручения",
                "2026-11-22T09:15:00.000+03:00",
                "Казань 420000",
            ),
        ]
        .join("");
        (
            StatusCode::OK,
            envelope(&format!(
                r#"<ns7:getOperationHistoryResponse xmlns:ns3="http://russianpost.org/operationhistory/data" xmlns:ns7="http://russianpost.org/operationhistory"><ns3:OperationHistoryData>{records}</ns3:OperationHistoryData></ns7:getOperationHistoryResponse>"#
            )),
        )
    }

    /// How often `barcode` was asked about.
    pub fn asked(&self, barcode: &str) -> usize {
        self.asked
            .lock()
            .unwrap()
            .get(barcode)
            .copied()
            .unwrap_or(0)
    }
}
