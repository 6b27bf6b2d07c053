//! Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251, told apart by
//! the bytes alone; anything else is refused rather than read as mojibake.

use super::FileError;
use std::borrow::Cow;

/// The most bytes of text a CSV file may decode to: twice the largest upload, as Russian text
/// takes two bytes a letter in UTF-8; Windows-1251's dashes and ellipses take three, and a file
/// of them alone would otherwise triple in the server.
pub const MAX_CSV_TEXT_BYTES: usize = 100 * 1024 * 1024;

/// How a CSV file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 with a byte order mark, as Excel writes "CSV UTF-8".
    Utf8Bom,
    /// UTF-16 with a byte order mark, as Excel writes "Unicode text".
    Utf16,
    /// Windows-1251, as 1C and Excel's plain "CSV" write on Russian Windows.
    Windows1251,
}

/// Windows-1251 bytes above 0x7F that Russian text holds besides letters: « » – — № … „ “ ” ‘ ’,
/// the no-break space, °, ±, §, ©, ®, and in product names €, ™ and •.
const CYRILLIC_PUNCTUATION: &[u8] = &[
    0xAB, 0xBB, 0x96, 0x97, 0xB9, 0x85, 0x84, 0x93, 0x94, 0x91, 0x92, 0xA0, 0xB0, 0xB1, 0xA7, 0xA9,
    0xAE, 0x88, 0x99, 0x95,
];

/// Decodes `bytes`, saying how.
///
/// # Errors
/// `UnknownEncoding` for text in another encoding, or bytes that are not text.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), FileError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = std::str::from_utf8(rest).map_err(|_| FileError::UnknownEncoding)?;
        return text_only(Cow::Borrowed(text)).map(|t| (t, Encoding::Utf8Bom));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, malformed) = encoding_rs::UTF_16LE.decode(bytes);
        if malformed {
            return Err(FileError::UnknownEncoding);
        }
        return text_only(text).map(|t| (t, Encoding::Utf16));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text_only(Cow::Borrowed(text)).map(|t| (t, Encoding::Utf8));
    }
    if looks_like_windows_1251(bytes) {
        let (text, malformed) = encoding_rs::WINDOWS_1251.decode_without_bom_handling(bytes);
        if !malformed {
            return text_only(text).map(|t| (t, Encoding::Windows1251));
        }
    }
    Err(FileError::UnknownEncoding)
}

/// Refuses control characters a spreadsheet's text never holds (NUL and the like: a binary
/// file, or UTF-16 without its BOM), and text past `MAX_CSV_TEXT_BYTES`; a decoder's own text
/// is kept, not copied.
fn text_only(text: Cow<'_, str>) -> Result<String, FileError> {
    if text.len() > MAX_CSV_TEXT_BYTES {
        return Err(FileError::TextTooLarge {
            limit: MAX_CSV_TEXT_BYTES,
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(FileError::UnknownEncoding);
    }
    Ok(text.into_owned())
}

/// Whether bytes that are not UTF-8 read as Russian text in Windows-1251: every byte above 0x7F
/// a letter or the punctuation Russian text uses, and lower-case letters not outnumbered four
/// to one by capitals (KOI8-R puts its lower case where Windows-1251 has capitals).
fn looks_like_windows_1251(bytes: &[u8]) -> bool {
    let (mut lower, mut upper) = (0usize, 0usize);
    for &b in bytes.iter().filter(|b| **b >= 0x80) {
        match b {
            0xE0..=0xFF | 0xB8 => lower += 1,
            0xC0..=0xDF | 0xA8 => upper += 1,
            _ if CYRILLIC_PUNCTUATION.contains(&b) => {}
            _ => return false,
        }
    }
    lower + upper > 0 && (upper < 16 || lower * 4 >= upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_encoding_is_told_apart() {
        let ru = "Номер отправления;Статус;Товар\n1;Доставлен;«Чехол™» — 1 €\n";
        assert_eq!(decode(ru.as_bytes()).unwrap().1, Encoding::Utf8);
        let bom = [b"\xEF\xBB\xBF".as_slice(), ru.as_bytes()].concat();
        assert_eq!(decode(&bom).unwrap(), (ru.to_owned(), Encoding::Utf8Bom));
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(ru);
        assert_eq!(
            decode(&cp1251).unwrap(),
            (ru.to_owned(), Encoding::Windows1251)
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(ru.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16).unwrap(), (ru.to_owned(), Encoding::Utf16));
    }

    #[test]
    fn other_encodings_are_refused_not_misread() {
        // GBK (Chinese), KOI8-R (Russian), UTF-16 without a BOM, a binary file.
        let (gbk, _, _) = encoding_rs::GBK.encode("订单号,运单号,状态\n12345,LP00123,已签收\n");
        let (koi8, _, _) = encoding_rs::KOI8_R
            .encode("номер отправления;статус\nдоставляется;в пути;отменен;ожидает отгрузки\n");
        let utf16: Vec<u8> = "order,status\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        for bytes in [&gbk[..], &koi8[..], &utf16[..], b"\x00\x01\x02\xff"] {
            assert_eq!(decode(bytes), Err(FileError::UnknownEncoding), "{bytes:?}");
        }
    }

    #[test]
    fn a_windows_1251_file_of_dashes_is_refused_before_it_triples() {
        // One letter makes it Russian text; each dash is one byte there and three in UTF-8.
        let (mut file, _, _) = encoding_rs::WINDOWS_1251.encode("Я;");
        let mut file = file.to_mut().clone();
        let row = [0x96u8].repeat(16 * 1024);
        while file.len() <= MAX_CSV_TEXT_BYTES / 3 + 1024 {
            file.extend_from_slice(&row);
            file.push(b'\n');
        }
        let read = decode(&file).map(|(text, _)| text.len());
        assert_eq!(
            read,
            Err(FileError::TextTooLarge {
                limit: MAX_CSV_TEXT_BYTES
            })
        );
        // The same bytes a third as long are read.
        file.truncate(MAX_CSV_TEXT_BYTES / 9);
        assert!(decode(&file).is_ok());
    }
}
