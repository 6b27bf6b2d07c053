//! A pickup code as a QR code: the modules of the symbol as one SVG path, made in the widget so
//! that it draws offline and with no request.

use qrcodegen::{QrCode, QrCodeEcc};

/// The light margin a scanner needs around the symbol, in modules (ISO/IEC 18004 asks for four).
pub const QUIET_ZONE: i32 = 4;

/// A QR symbol drawn as SVG: its side in modules, quiet zone included, and the dark modules as
/// one path (`M x y h1v1h-1z` a run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPath {
    /// The side of the square, in modules.
    pub side: i32,
    /// The SVG path of the dark modules.
    pub d: String,
}

/// The QR symbol of `text` at error-correction level M (a scratched phone screen still reads);
/// `None` for text too long for any symbol.
pub fn qr_path(text: &str) -> Option<QrPath> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = code.size();
    let mut d = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !code.get_module(x, y) {
                x += 1;
                continue;
            }
            // One rectangle per horizontal run of dark modules keeps the path short.
            let start = x;
            while x < size && code.get_module(x, y) {
                x += 1;
            }
            d.push_str(&format!(
                "M{} {}h{}v1h-{}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE,
                x - start,
                x - start
            ));
        }
    }
    Some(QrPath {
        side: size + 2 * QUIET_ZONE,
        d,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pickup_code_makes_a_small_symbol_inside_its_quiet_zone() {
        let path = qr_path("483920").unwrap();
        // Six digits fit version 1 (21 modules) at level M.
        assert_eq!(path.side, 21 + 2 * QUIET_ZONE);
        assert!(path.d.starts_with("M4 4h7v1h-7z"), "{}", path.d);
    }

    #[test]
    fn text_too_long_for_any_symbol_draws_nothing() {
        assert_eq!(qr_path(&"9".repeat(8_000)), None);
    }
}
