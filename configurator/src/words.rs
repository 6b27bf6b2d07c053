//! The configurator's words, in the seller's language (English, Russian, Chinese): its own, as
//! the widget's labels are for buyers and would grow the buyers' wasm.

use trackline::i18n::Lang;

/// A text of the configurator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    /// The page's heading.
    Title,
    /// The first group: where the status comes from.
    Source,
    /// The shop handle's label.
    Shop,
    /// What the shop handle is.
    ShopHint,
    /// The endpoint's label.
    Endpoint,
    /// What the endpoint is.
    EndpointHint,
    /// The number's label.
    Number,
    /// When to give a number.
    NumberHint,
    /// The second group: how it looks.
    Looks,
    /// The language's label.
    Language,
    /// No language fixed.
    BuyersBrowser,
    /// The theme's label.
    Theme,
    /// The compact mode's label.
    Compact,
    /// The third group: the brand.
    Brand,
    /// Which colours are not the brand's.
    BrandHint,
    /// The snippet's heading.
    Snippet,
    /// The Copy button.
    Copy,
    /// The Copy button once it worked.
    Copied,
    /// About the pinned loader and a strict policy.
    SnippetHint,
    /// About the order page's first line, the rendering's preload.
    PreloadHint,
    /// The link to the reference.
    Reference,
    /// The preview's heading.
    Preview,
}

/// The text of `word` in `lang`.
pub fn text(lang: Lang, word: Word) -> &'static str {
    use Word::*;
    match (lang, word) {
        (Lang::En, Title) => "The widget for your shop",
        (Lang::Ru, Title) => "Виджет для вашего магазина",
        (Lang::Zh, Title) => "为您的店铺配置查询组件",
        (Lang::En, Source) => "Where the status comes from",
        (Lang::Ru, Source) => "Откуда берётся статус",
        (Lang::Zh, Source) => "物流状态从哪里获取",
        (Lang::En, Shop) => "Shop handle on this server",
        (Lang::Ru, Shop) => "Код магазина на этом сервере",
        (Lang::Zh, Shop) => "本服务器上的店铺代号",
        (Lang::En, ShopHint) => "As add-seller printed it; empty for this server's only shop.",
        (Lang::Ru, ShopHint) => "Как его напечатала команда add-seller; пусто — единственный магазин сервера.",
        (Lang::Zh, ShopHint) => "即 add-seller 输出的代号；留空表示本服务器唯一的店铺。",
        (Lang::En, Endpoint) => "Or an endpoint of your own",
        (Lang::Ru, Endpoint) => "Или свой адрес API",
        (Lang::Zh, Endpoint) => "或您自己的接口地址",
        (Lang::En, EndpointHint) => "A URL template with {number}; it wins over the shop.",
        (Lang::Ru, EndpointHint) => "Шаблон URL с {number}; важнее кода магазина.",
        (Lang::Zh, EndpointHint) => "含 {number} 的 URL 模板；优先于店铺代号。",
        (Lang::En, Number) => "A number to show at once",
        (Lang::Ru, Number) => "Номер, который показать сразу",
        (Lang::Zh, Number) => "直接显示的单号",
        (Lang::En, NumberHint) => "An order page puts the buyer's number here; empty for a page where buyers type one.",
        (Lang::Ru, NumberHint) => "На странице заказа сюда подставляется номер покупателя; пусто — покупатель вводит номер сам.",
        (Lang::Zh, NumberHint) => "订单页在此填入买家的单号；留空则由买家自行输入。",
        (Lang::En, Looks) => "How it looks",
        (Lang::Ru, Looks) => "Как выглядит",
        (Lang::Zh, Looks) => "外观",
        (Lang::En, Language) => "Language",
        (Lang::Ru, Language) => "Язык",
        (Lang::Zh, Language) => "语言",
        (Lang::En, BuyersBrowser) => "The buyer's browser",
        (Lang::Ru, BuyersBrowser) => "Как в браузере покупателя",
        (Lang::Zh, BuyersBrowser) => "跟随买家浏览器",
        (Lang::En, Theme) => "Theme",
        (Lang::Ru, Theme) => "Тема",
        (Lang::Zh, Theme) => "主题",
        (Lang::En, Compact) => "Compact: one line a parcel, no form (needs a number)",
        (Lang::Ru, Compact) => "Компактно: строка на посылку, без формы (нужен номер)",
        (Lang::Zh, Compact) => "紧凑：每个包裹一行，不显示输入框（需要单号）",
        (Lang::En, Brand) => "Your brand",
        (Lang::Ru, Brand) => "Ваш фирменный стиль",
        (Lang::Zh, Brand) => "品牌样式",
        (Lang::En, BrandHint) => "Colours that carry meaning (done green, warning red) stay as they are. Keep text and its background at 4.5:1.",
        (Lang::Ru, BrandHint) => "Цвета со смыслом (зелёный — готово, красный — проблема) не меняются. Держите контраст текста и фона не ниже 4,5:1.",
        (Lang::Zh, BrandHint) => "表达含义的颜色（完成为绿色、异常为红色）保持不变。文字与背景的对比度请不低于 4.5:1。",
        (Lang::En, Snippet) => "The snippet",
        (Lang::Ru, Snippet) => "Код для вставки",
        (Lang::Zh, Snippet) => "嵌入代码",
        (Lang::En, Copy) => "Copy the snippet",
        (Lang::Ru, Copy) => "Скопировать код",
        (Lang::Zh, Copy) => "复制代码",
        (Lang::En, Copied) => "Copied",
        (Lang::Ru, Copied) => "Скопировано",
        (Lang::Zh, Copied) => "已复制",
        (Lang::En, SnippetHint) => "The loader is pinned to this version by its integrity hash. A page with a strict Content-Security-Policy takes the rule from its own stylesheet instead of the <style> element.",
        (Lang::Ru, SnippetHint) => "Загрузчик закреплён за этой версией хешем целостности. Если у страницы строгая Content-Security-Policy, перенесите правило из элемента <style> в свою таблицу стилей.",
        (Lang::Zh, SnippetHint) => "加载脚本通过完整性哈希固定为此版本。若页面启用了严格的 Content-Security-Policy，请把 <style> 中的规则移到您自己的样式表中。",
        (Lang::En, PreloadHint) => "The first line lets the browser ask for the status while the loader downloads. On an order page, put the buyer's number in it as in the element, or leave the line out.",
        (Lang::Ru, PreloadHint) => "Первая строка позволяет браузеру запросить статус, пока скачивается загрузчик. На странице заказа подставьте в неё номер покупателя так же, как в элемент, или уберите эту строку.",
        (Lang::Zh, PreloadHint) => "第一行让浏览器在下载加载脚本的同时请求包裹状态。在订单页中，请像在组件中一样填入买家的单号，或删去这一行。",
        (Lang::En, Reference) => "Everything the element does",
        (Lang::Ru, Reference) => "Всё, что умеет элемент",
        (Lang::Zh, Reference) => "组件的全部功能",
        (Lang::En, Preview) => "Preview",
        (Lang::Ru, Preview) => "Предпросмотр",
        (Lang::Zh, Preview) => "预览",
    }
}

/// A custom property's label in `lang` (the description's words are English).
pub fn property(lang: Lang, name: &str, described: &str) -> String {
    let known = match (lang, name) {
        (Lang::Ru, "--trackline-accent") => "Фирменный цвет: кнопки, ссылки, текущий шаг",
        (Lang::Zh, "--trackline-accent") => "品牌色：按钮、链接、当前步骤",
        (Lang::Ru, "--trackline-accent-contrast") => "Текст на фирменном цвете",
        (Lang::Zh, "--trackline-accent-contrast") => "品牌色上的文字",
        (Lang::Ru, "--trackline-background") => "Фон виджета",
        (Lang::Zh, "--trackline-background") => "组件背景",
        (Lang::Ru, "--trackline-surface") => "Фон карточек",
        (Lang::Zh, "--trackline-surface") => "卡片背景",
        (Lang::Ru, "--trackline-text") => "Текст",
        (Lang::Zh, "--trackline-text") => "文字",
        (Lang::Ru, "--trackline-radius") => "Скругление углов, px",
        (Lang::Zh, "--trackline-radius") => "圆角，px",
        _ => described,
    };
    known.to_owned()
}

/// A theme's name in `lang`.
pub fn theme(lang: Lang, theme: &str) -> &str {
    match (lang, theme) {
        (Lang::Ru, "auto") => "как в системе",
        (Lang::Ru, "light") => "светлая",
        (Lang::Ru, "dark") => "тёмная",
        (Lang::Zh, "auto") => "跟随系统",
        (Lang::Zh, "light") => "浅色",
        (Lang::Zh, "dark") => "深色",
        (_, other) => other,
    }
}
