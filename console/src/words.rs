//! The console's words, in the seller's language (Russian, English, Chinese): its own, as the
//! widget's messages are for buyers and would grow the buyers' wasm. Stages and exceptions are
//! named with the widget's own words (`trackline::labels`), so that the seller reads what the
//! buyer reads.
//!
//! Each word is written once with its three translations side by side, so that one missing in a
//! language does not build.

use trackline::i18n::Lang;

macro_rules! words {
    ($( $(#[$doc:meta])* $name:ident { en: $en:literal, ru: $ru:literal, zh: $zh:literal } )*) => {
        /// A text of the console.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Word {
            $( $(#[$doc])* $name, )*
        }

        impl Word {
            /// Every word, for the tests that read them all.
            pub const ALL: &'static [Word] = &[$(Word::$name),*];
        }

        /// The text of `word` in `lang`.
        pub fn text(lang: Lang, word: Word) -> &'static str {
            match word {
                $( Word::$name => match lang {
                    Lang::En => $en,
                    Lang::Ru => $ru,
                    Lang::Zh => $zh,
                }, )*
            }
        }
    };
}

words! {
    /// The page's title and heading.
    Title { en: "Seller's console", ru: "Кабинет продавца", zh: "卖家控制台" }
    /// While something loads.
    Loading { en: "Loading…", ru: "Загрузка…", zh: "加载中…" }
    /// The link that skips the navigation.
    SkipToContent { en: "Skip to the content", ru: "Перейти к содержимому", zh: "跳到正文" }
    /// The navigation's name.
    Navigation { en: "Sections", ru: "Разделы", zh: "栏目" }
    /// The home: what needs attention.
    NavAttention { en: "Needs attention", ru: "Требует внимания", zh: "待处理" }
    /// The shipments list.
    NavShipments { en: "Shipments", ru: "Отправления", zh: "货件" }
    /// The configurator, for owners.
    NavWidget { en: "Widget for the shop", ru: "Виджет для магазина", zh: "店铺组件" }
    /// The language switch's name.
    Language { en: "Language", ru: "Язык", zh: "语言" }
    /// Signing out of this browser.
    SignOut { en: "Sign out", ru: "Выйти", zh: "退出登录" }
    /// Signing out of every browser.
    SignOutEverywhere { en: "Sign out everywhere", ru: "Выйти на всех устройствах", zh: "在所有设备上退出" }
    /// Who is signed in: `{name}`, `{role}`, `{shop}`.
    SignedInAs { en: "{name} ({role}), {shop}", ru: "{name} ({role}), {shop}", zh: "{name}（{role}），{shop}" }
    /// The owner's role.
    RoleOwner { en: "owner", ru: "владелец", zh: "店主" }
    /// The staff's role.
    RoleStaff { en: "staff", ru: "сотрудник", zh: "员工" }

    /// The sign-in page's heading.
    SignInTitle { en: "Sign in", ru: "Вход", zh: "登录" }
    /// The passkey button.
    SignInWithPasskey { en: "Sign in with a passkey", ru: "Войти с ключом доступа", zh: "使用通行密钥登录" }
    /// Between the passkey and the password.
    OrWithPassword { en: "Or with a login and password", ru: "Или по логину и паролю", zh: "或使用账号和密码" }
    /// The login's label.
    Login { en: "Login (e-mail)", ru: "Логин (e-mail)", zh: "账号（电子邮箱）" }
    /// The password's label.
    Password { en: "Password", ru: "Пароль", zh: "密码" }
    /// The password sign-in's button.
    SignInButton { en: "Sign in", ru: "Войти", zh: "登录" }
    /// How a lost passkey comes back.
    LostPasskey { en: "Lost your passkey? Ask the server's operator for a new invitation.", ru: "Потеряли ключ доступа? Попросите администратора сервера о новом приглашении.", zh: "丢失了通行密钥？请向服务器管理员索取新的邀请。" }

    /// The invitation's heading.
    InvitationTitle { en: "You are invited", ru: "Вас пригласили", zh: "您收到了邀请" }
    /// What the invitation is for: `{shop}`, `{role}`.
    InvitationFor { en: "To the shop {shop}, as {role}.", ru: "В магазин «{shop}», роль: {role}.", zh: "加入店铺“{shop}”，角色：{role}。" }
    /// Your name's label.
    YourName { en: "Your name", ru: "Ваше имя", zh: "您的姓名" }
    /// The passkey's button.
    CreatePasskey { en: "Create a passkey", ru: "Создать ключ доступа", zh: "创建通行密钥" }
    /// What a passkey is.
    PasskeyHint { en: "A passkey signs you in with this device's lock (fingerprint, face or PIN): nothing to remember, nothing to steal.", ru: "Ключ доступа — это вход по блокировке устройства (отпечаток, лицо или PIN-код): ничего не нужно помнить, нечего украсть.", zh: "通行密钥通过本设备的解锁方式（指纹、面容或 PIN）登录：无需记忆，无从盗取。" }
    /// The fallback's heading.
    PasswordInstead { en: "No passkey on this device? Choose a password", ru: "На устройстве нет ключей доступа? Задайте пароль", zh: "此设备不支持通行密钥？请设置密码" }
    /// The password's rule.
    PasswordRule { en: "10 to 256 characters.", ru: "От 10 до 256 символов.", zh: "10 至 256 个字符。" }
    /// The password registration's button.
    CreateWithPassword { en: "Create the account", ru: "Создать учётную запись", zh: "创建账户" }

    /// The attention queue's heading.
    AttentionTitle { en: "Needs attention", ru: "Требует внимания", zh: "待处理" }
    /// When nothing needs it.
    AttentionEmpty { en: "Nothing needs attention now.", ru: "Сейчас ничего не требует внимания.", zh: "目前没有需要处理的事项。" }
    /// Parcels with an exception.
    QueueExceptions { en: "Problems with parcels", ru: "Проблемы с посылками", zh: "异常包裹" }
    /// Parcels gone silent.
    QueueStale { en: "No news for too long", ru: "Давно нет новостей", zh: "长时间无更新" }
    /// Pickups about to end.
    QueuePickup { en: "Pickup ends within two days", ru: "Срок хранения истекает в течение двух дней", zh: "两天内取件截止" }
    /// Webhook deliveries that failed.
    QueueWebhooks { en: "Failed webhook deliveries", ru: "Неудачные доставки вебхуков", zh: "Webhook 推送失败" }
    /// Provider keys the provider refused.
    QueueKeys { en: "Keys a provider refused", ru: "Ключи, отклонённые провайдером", zh: "被服务商拒绝的密钥" }
    /// A queue this page does not know by name.
    QueueOther { en: "Other", ru: "Другое", zh: "其他" }
    /// The count of a queue: `{count}`.
    InQueue { en: "{count} in all", ru: "всего: {count}", zh: "共 {count} 项" }
    /// The link to a queue's action.
    Resolve { en: "Resolve", ru: "Решить", zh: "处理" }

    /// The list's heading.
    ShipmentsTitle { en: "Shipments", ru: "Отправления", zh: "货件" }
    /// The stage tabs' name.
    Stages { en: "Stages", ru: "Этапы", zh: "阶段" }
    /// Every stage.
    AllStages { en: "All", ru: "Все", zh: "全部" }
    /// The search's label.
    SearchNumber { en: "Any number: order, parcel, tracking or reference", ru: "Любой номер: заказа, отправления, трек-номер или ваш код", zh: "任意单号：订单号、包裹号、运单号或您的编号" }
    /// The search's button.
    Search { en: "Find", ru: "Найти", zh: "查找" }
    /// The exception filter's label.
    FilterException { en: "Problems", ru: "Проблемы", zh: "异常" }
    /// No exception filter.
    FilterAny { en: "All parcels", ru: "Все посылки", zh: "全部包裹" }
    /// Only with an exception.
    FilterWithProblem { en: "Only with a problem", ru: "Только с проблемой", zh: "仅异常" }
    /// Only without one.
    FilterWithoutProblem { en: "Only without a problem", ru: "Только без проблем", zh: "仅正常" }
    /// The stale filter's label.
    FilterStale { en: "Only with no news for too long", ru: "Только давно без новостей", zh: "仅长时间无更新" }
    /// The order's label.
    Sort { en: "Order", ru: "Порядок", zh: "排序" }
    /// Last written first.
    SortUpdated { en: "Last changed first", ru: "Сначала изменённые недавно", zh: "最近更新在前" }
    /// Last created first.
    SortCreated { en: "Last added first", ru: "Сначала добавленные недавно", zh: "最近添加在前" }
    /// By reference.
    SortReference { en: "By reference, A to Z", ru: "По коду, от А до Я", zh: "按编号排序" }
    /// The next page's button.
    More { en: "Show more", ru: "Показать ещё", zh: "显示更多" }
    /// An empty list.
    NoShipments { en: "No shipments here.", ru: "Здесь нет отправлений.", zh: "此处没有货件。" }
    /// A shipment written without a reference.
    NoReference { en: "no reference", ru: "без кода", zh: "无编号" }
    /// When it last changed.
    Updated { en: "Changed", ru: "Изменено", zh: "更新于" }

    /// Back to the list.
    BackToList { en: "Back to the shipments", ru: "К отправлениям", zh: "返回货件列表" }
    /// What the buyer sees.
    BuyerSees { en: "What the buyer sees", ru: "Что видит покупатель", zh: "买家看到的内容" }
    /// The history.
    History { en: "History", ru: "История", zh: "历史记录" }
    /// No events yet.
    NoEvents { en: "No events yet.", ru: "Событий пока нет.", zh: "暂无记录。" }
    /// The numbers and carrier.
    Details { en: "Numbers and carrier", ru: "Номера и перевозчик", zh: "单号与承运商" }
    /// The order number.
    OrderNumber { en: "Order", ru: "Заказ", zh: "订单号" }
    /// The posting number.
    ShipmentNumber { en: "Parcel", ru: "Отправление", zh: "包裹" }
    /// The tracking number.
    TrackingNumber { en: "Tracking number", ru: "Трек-номер", zh: "运单号" }
    /// The carrier.
    Carrier { en: "Carrier", ru: "Перевозчик", zh: "承运商" }
    /// The status's source.
    StatusText { en: "Status as received", ru: "Статус как получен", zh: "原始状态" }
    /// The event form's heading.
    AddEventTitle { en: "Move to a stage or add an event", ru: "Перевести на этап или добавить событие", zh: "变更阶段或添加记录" }
    /// The stage's label.
    MoveToStage { en: "Stage", ru: "Этап", zh: "阶段" }
    /// Leaves the stage as it is.
    KeepStage { en: "Keep the stage", ru: "Не менять этап", zh: "保持当前阶段" }
    /// The exception's label.
    ExceptionLabel { en: "Problem", ru: "Проблема", zh: "异常" }
    /// No exception.
    NoException { en: "None", ru: "Нет", zh: "无" }
    /// The event text's label.
    EventText { en: "What happened (the buyer reads it)", ru: "Что произошло (это прочтёт покупатель)", zh: "发生了什么（买家可见）" }
    /// The event's button.
    AddEvent { en: "Add the event", ru: "Добавить событие", zh: "添加记录" }
    /// An event was added.
    EventAdded { en: "Added. The buyer sees it now.", ru: "Добавлено. Покупатель уже видит это.", zh: "已添加，买家现在即可看到。" }
    /// The text is required.
    TextRequired { en: "Write what happened (1 to 500 characters).", ru: "Напишите, что произошло (от 1 до 500 символов).", zh: "请填写发生了什么（1 至 500 个字符）。" }
    /// The source form's heading.
    SourceTitle { en: "Where the status comes from", ru: "Откуда берётся статус", zh: "状态来源" }
    /// The source's label.
    SourceLabel { en: "Poll the status from", ru: "Получать статус от", zh: "从以下来源获取状态" }
    /// No provider: by hand.
    SourceNowhere { en: "Nowhere: I move it by hand", ru: "Ниоткуда: меняю вручную", zh: "不获取：手动更新" }
    /// What choosing does.
    SourceHint { en: "The provider is asked with your keys for it; the choice stays until you change it.", ru: "Провайдер опрашивается с вашими ключами для него; выбор действует, пока вы его не измените.", zh: "将使用您为该服务商设置的密钥查询；选择一直有效，直到您更改。" }
    /// The source's button.
    SetSource { en: "Choose", ru: "Выбрать", zh: "确定" }
    /// The source was set.
    SourceSet { en: "Chosen.", ru: "Выбрано.", zh: "已设置。" }

    /// The shipment's activity: its heading.
    ActivityTitle { en: "Notifications", ru: "Уведомления", zh: "通知" }
    /// How many browsers are subscribed: `{count}`.
    SubscribedBrowsers { en: "Browsers subscribed to its notifications: {count}", ru: "Браузеров, подписанных на уведомления: {count}", zh: "订阅其通知的浏览器：{count}" }
    /// The shipment's webhook deliveries: their heading.
    ShipmentDeliveries { en: "Webhook deliveries", ru: "Доставки вебхуков", zh: "Webhook 推送" }
    /// A delivery's last answer: `{code}`.
    LastAnswer { en: "last answer: {code}", ru: "последний ответ: {code}", zh: "最后响应：{code}" }
    /// A delivery not answered.
    NoAnswer { en: "no answer", ru: "нет ответа", zh: "无响应" }
    /// The link to the webhooks page.
    AllDeliveries { en: "Every delivery with its tries, on the webhooks page", ru: "Все доставки с попытками — на странице вебхуков", zh: "在 Webhook 页面查看全部推送及其尝试" }
    /// The activity could not be read.
    ActivityUnavailable { en: "The notifications cannot be shown now.", ru: "Уведомления сейчас не показать.", zh: "暂时无法显示通知。" }
    /// The edit form's heading.
    EditTitle { en: "Edit the details", ru: "Изменить данные", zh: "编辑信息" }
    /// A name (the carrier's, the point's).
    NameLabel { en: "Name", ru: "Название", zh: "名称" }
    /// A phone line.
    PhoneLabel { en: "Phone", ru: "Телефон", zh: "电话" }
    /// The carrier's own tracking page.
    CarrierLink { en: "Tracking link", ru: "Ссылка на отслеживание", zh: "跟踪链接" }
    /// The estimated delivery's group.
    EstimatedDelivery { en: "Estimated delivery", ru: "Ожидаемая доставка", zh: "预计送达" }
    /// The day, or a window's first day.
    DeliveryFrom { en: "Day (or the first day)", ru: "День (или первый день)", zh: "日期（或首日）" }
    /// A window's last day.
    DeliveryTo { en: "Last day (for a window)", ru: "Последний день (для интервала)", zh: "最后一天（时间段）" }
    /// The pickup point's group.
    PickupPoint { en: "Pickup point", ru: "Пункт выдачи", zh: "自提点" }
    /// Its address.
    AddressLabel { en: "Address", ru: "Адрес", zh: "地址" }
    /// Its opening hours.
    HoursLabel { en: "Opening hours", ru: "Часы работы", zh: "营业时间" }
    /// The pickup code.
    PickupCode { en: "Pickup code", ru: "Код получения", zh: "取件码" }
    /// The last day the parcel is kept.
    StorageUntil { en: "Kept until", ru: "Хранится до", zh: "保管至" }
    /// The edit form's button.
    Save { en: "Save", ru: "Сохранить", zh: "保存" }
    /// Saved.
    Saved { en: "Saved.", ru: "Сохранено.", zh: "已保存。" }
    /// Nothing to save.
    NothingChanged { en: "Nothing was changed.", ru: "Ничего не изменено.", zh: "没有任何更改。" }
    /// The server refused this field.
    FieldRefused { en: "Check this field: the server did not accept it.", ru: "Проверьте это поле: сервер его не принял.", zh: "请检查此字段：服务器未接受。" }
    /// Moving to "ready for pickup" without a code.
    PickupAsk { en: "The buyer's page shows the pickup code in big digits: enter it and the point.", ru: "Страница покупателя покажет код получения крупно: укажите его и пункт выдачи.", zh: "买家页面会以大号数字显示取件码：请填写取件码和自提点。" }
    /// The code is missing.
    ErrNeedCode { en: "Enter the pickup code.", ru: "Укажите код получения.", zh: "请填写取件码。" }

    /// The delete button.
    Delete { en: "Delete the shipment", ru: "Удалить отправление", zh: "删除货件" }
    /// The confirmation's question.
    DeleteConfirm { en: "Delete it with its history? Buyers will no longer find it.", ru: "Удалить вместе с историей? Покупатели больше не найдут его.", zh: "连同历史记录一起删除？买家将无法再查到。" }
    /// Yes, delete.
    DeleteYes { en: "Delete", ru: "Удалить", zh: "删除" }
    /// No, keep it.
    Cancel { en: "Cancel", ru: "Отмена", zh: "取消" }
    /// It was deleted.
    Deleted { en: "The shipment was deleted.", ru: "Отправление удалено.", zh: "货件已删除。" }
    /// Trying again.
    TryAgain { en: "Try again", ru: "Повторить", zh: "重试" }

    /// The webhooks section.
    NavWebhooks { en: "Webhooks", ru: "Вебхуки", zh: "Webhook" }
    /// The webhooks page's heading.
    WebhooksTitle { en: "Webhooks: your systems told of changes", ru: "Вебхуки: уведомления ваших систем об изменениях", zh: "Webhook：变更通知您的系统" }
    /// No subscriptions yet.
    WebhooksEmpty { en: "No webhooks yet.", ru: "Вебхуков пока нет.", zh: "暂无 Webhook。" }
    /// The new subscription's heading.
    NewWebhook { en: "A new webhook", ru: "Новый вебхук", zh: "新建 Webhook" }
    /// The receiver's address.
    WebhookUrl { en: "Receiver's address (https://…)", ru: "Адрес получателя (https://…)", zh: "接收地址（https://…）" }
    /// What to hear of.
    WebhookEvents { en: "Tell of", ru: "Сообщать о", zh: "通知内容" }
    /// A kind: any status change.
    KindStatusChanged { en: "Every status change", ru: "Любом изменении статуса", zh: "任何状态变更" }
    /// A kind: an exception.
    KindExceptionRaised { en: "A problem", ru: "Проблеме", zh: "出现异常" }
    /// A kind: gone stale.
    KindGoneStale { en: "No news for too long", ru: "Долгом отсутствии новостей", zh: "长时间无更新" }
    /// A kind: ready for pickup.
    KindReadyForPickup { en: "Ready for pickup", ru: "Прибытии в пункт выдачи", zh: "待取件" }
    /// A kind: delivered.
    KindDelivered { en: "Delivered", ru: "Вручении", zh: "已签收" }
    /// At least one kind.
    ErrNoKind { en: "Choose at least one kind of change.", ru: "Выберите хотя бы один вид изменений.", zh: "请至少选择一种变更。" }
    /// The subscribe button.
    Subscribe { en: "Add the webhook", ru: "Добавить вебхук", zh: "添加 Webhook" }
    /// The secret, shown once.
    SecretOnce { en: "The signing secret, shown this once: copy it into your receiver now.", ru: "Секрет подписи показан один раз: скопируйте его в ваш обработчик сейчас.", zh: "签名密钥仅显示这一次：请立即复制到您的接收端。" }
    /// Rotating the secret.
    Rotate { en: "New secret", ru: "Новый секрет", zh: "更换密钥" }
    /// Ending a subscription.
    Unsubscribe { en: "Delete the webhook", ru: "Удалить вебхук", zh: "删除 Webhook" }
    /// Showing the deliveries.
    ShowDeliveries { en: "Deliveries", ru: "Доставки", zh: "推送记录" }
    /// No deliveries.
    NoDeliveries { en: "No deliveries yet.", ru: "Доставок пока нет.", zh: "暂无推送记录。" }
    /// A delivery waiting.
    StatePending { en: "being tried", ru: "отправляется", zh: "发送中" }
    /// A delivery taken.
    StateDelivered { en: "delivered", ru: "доставлено", zh: "已送达" }
    /// A delivery given up.
    StateFailed { en: "failed", ru: "не доставлено", zh: "失败" }
    /// The count of tries: `{count}`.
    Tries { en: "tries: {count}", ru: "попыток: {count}", zh: "尝试次数：{count}" }
    /// Sending again.
    Replay { en: "Send again", ru: "Отправить снова", zh: "重新发送" }
    /// Sent again.
    Replayed { en: "Queued to be sent again.", ru: "Поставлено в очередь на повторную отправку.", zh: "已排队重新发送。" }
    /// A page staff may not open.
    OwnersOnly { en: "Only the shop's owners open this page.", ru: "Эту страницу открывают только владельцы магазина.", zh: "仅店主可打开此页面。" }

    /// No connection.
    ErrOffline { en: "No connection to the server. Check the network and try again.", ru: "Нет связи с сервером. Проверьте сеть и повторите.", zh: "无法连接服务器，请检查网络后重试。" }
    /// The session ended.
    ErrSignedOut { en: "Your session has ended. Sign in again.", ru: "Сеанс завершён. Войдите снова.", zh: "会话已结束，请重新登录。" }
    /// Not allowed for this role.
    ErrForbidden { en: "Your role does not allow this, or the request did not come from this console.", ru: "Ваша роль этого не позволяет, или запрос пришёл не из этого кабинета.", zh: "您的角色无权执行此操作，或请求并非来自本控制台。" }
    /// Not found.
    ErrNotFound { en: "Not found: it may have been deleted.", ru: "Не найдено: возможно, уже удалено.", zh: "未找到，可能已被删除。" }
    /// An invitation that cannot be used.
    ErrInvitationGone { en: "This invitation is unknown, already used or expired. Ask for a new one.", ru: "Приглашение не найдено, уже использовано или истекло. Попросите новое.", zh: "此邀请无效、已被使用或已过期，请索取新的邀请。" }
    /// A conflict.
    ErrConflict { en: "Someone changed this at the same moment. Reload and try again.", ru: "Кто-то изменил это одновременно с вами. Обновите страницу и повторите.", zh: "有人同时修改了此内容，请刷新后重试。" }
    /// Too many tries.
    ErrTooMany { en: "Too many tries. Wait a little and try again.", ru: "Слишком много попыток. Подождите немного и повторите.", zh: "尝试次数过多，请稍后再试。" }
    /// Input refused: `{field}`.
    ErrInvalid { en: "The server did not accept this ({field}). Check it and try again.", ru: "Сервер не принял это ({field}). Проверьте и повторите.", zh: "服务器未接受此内容（{field}），请检查后重试。" }
    /// The server failed.
    ErrServer { en: "The server could not answer. Try again in a minute.", ru: "Сервер не смог ответить. Повторите через минуту.", zh: "服务器暂时无法响应，请一分钟后重试。" }
    /// An answer the page cannot read.
    ErrUnreadable { en: "The server's answer could not be read. Reload the page.", ru: "Не удалось прочитать ответ сервера. Обновите страницу.", zh: "无法读取服务器的响应，请刷新页面。" }
    /// Wrong login or password.
    ErrWrongPassword { en: "Wrong login or password.", ru: "Неверный логин или пароль.", zh: "账号或密码错误。" }
    /// The passkey was cancelled.
    ErrPasskeyCancelled { en: "The passkey was cancelled or timed out.", ru: "Ключ доступа отменён или время ожидания истекло.", zh: "通行密钥操作已取消或超时。" }
    /// No passkeys in this browser.
    ErrPasskeyUnsupported { en: "This browser cannot use passkeys here. Use a password.", ru: "Этот браузер не может использовать здесь ключи доступа. Используйте пароль.", zh: "此浏览器无法在此使用通行密钥，请使用密码。" }
    /// The passkey was not accepted.
    ErrPasskeyRefused { en: "The passkey was not accepted.", ru: "Ключ доступа не принят.", zh: "通行密钥未被接受。" }
    /// A password too short or long.
    ErrPasswordLength { en: "The password must be 10 to 256 characters.", ru: "Пароль должен содержать от 10 до 256 символов.", zh: "密码须为 10 至 256 个字符。" }
    /// A login too short or long.
    ErrLoginLength { en: "The login must be 3 to 100 characters.", ru: "Логин должен содержать от 3 до 100 символов.", zh: "账号须为 3 至 100 个字符。" }
    /// A name missing.
    ErrNameRequired { en: "Write your name (1 to 100 characters).", ru: "Укажите имя (от 1 до 100 символов).", zh: "请填写姓名（1 至 100 个字符）。" }

    /// The import section.
    NavImport { en: "Import", ru: "Импорт", zh: "导入" }
    /// The import page's heading.
    ImportTitle { en: "Import shipments from a spreadsheet", ru: "Импорт отправлений из таблицы", zh: "从表格导入货件" }
    /// What the import takes.
    ImportHint { en: "A CSV or XLSX file as Ozon's cabinet, 1C or Excel saves it, up to 50 MB. Nothing is written until you press “Import”.", ru: "Файл CSV или XLSX, как его сохраняют кабинет Ozon, 1С или Excel, до 50 МБ. Ничего не записывается, пока вы не нажмёте «Импортировать».", zh: "Ozon 后台、1C 或 Excel 导出的 CSV 或 XLSX 文件，最大 50 MB。点击“导入”之前不会写入任何内容。" }
    /// The file picker's label.
    ChooseFile { en: "Choose a file", ru: "Выберите файл", zh: "选择文件" }
    /// The drop zone.
    DropFile { en: "or drop it here", ru: "или перетащите его сюда", zh: "或将文件拖到此处" }
    /// The chosen file: `{name}`.
    FileChosen { en: "File: {name}", ru: "Файл: {name}", zh: "文件：{name}" }
    /// While the file is sent.
    Uploading { en: "Sending the file and reading it…", ru: "Файл отправляется и читается…", zh: "正在上传并读取文件…" }
    /// The preview's heading.
    PreviewTitle { en: "What the import will do", ru: "Что сделает импорт", zh: "导入将执行的操作" }
    /// Rows that create: `{count}`.
    CountCreated { en: "New shipments: {count}", ru: "Новые отправления: {count}", zh: "新建货件：{count}" }
    /// Rows that change: `{count}`.
    CountChanged { en: "Changed: {count}", ru: "Изменятся: {count}", zh: "将更新：{count}" }
    /// Rows that change nothing: `{count}`.
    CountUnchanged { en: "Already as stored: {count}", ru: "Уже совпадают: {count}", zh: "无变化：{count}" }
    /// Rows that repeat: `{count}`.
    CountRepeated { en: "Repeated lines: {count}", ru: "Повторные строки: {count}", zh: "重复行：{count}" }
    /// Rows refused: `{count}`.
    CountRefused { en: "Not imported: {count}", ru: "Не будут импортированы: {count}", zh: "无法导入：{count}" }
    /// A row: `{line}`, `{reference}`.
    LineReference { en: "Line {line}: {reference}", ru: "Строка {line}: {reference}", zh: "第 {line} 行：{reference}" }
    /// A row that repeats: `{line}`, `{first}`.
    LineRepeats { en: "Line {line} repeats line {first}", ru: "Строка {line} повторяет строку {first}", zh: "第 {line} 行与第 {first} 行重复" }
    /// A refused row: `{line}`.
    LineNumber { en: "Line {line}", ru: "Строка {line}", zh: "第 {line} 行" }
    /// What changes: `{fields}`.
    WhatChanges { en: "changes: {fields}", ru: "изменится: {fields}", zh: "变更：{fields}" }
    /// A long list cut: `{count}`.
    FirstShown { en: "The first {count} are shown.", ru: "Показаны первые {count}.", zh: "仅显示前 {count} 条。" }
    /// The columns' heading.
    ColumnsTitle { en: "Columns and what they fill", ru: "Столбцы и что они заполняют", zh: "列及其对应字段" }
    /// What the mapping does.
    ColumnsHint { en: "Columns were recognised by their names. Change any, then preview again.", ru: "Столбцы распознаны по названиям. Измените нужные и посмотрите снова.", zh: "已按列名识别各列。可修改后重新预览。" }
    /// A column left out.
    NotImported { en: "Not imported", ru: "Не импортировать", zh: "不导入" }
    /// Previewing with the chosen columns.
    PreviewAgain { en: "Preview again", ru: "Посмотреть снова", zh: "重新预览" }
    /// The apply button: `{count}`.
    ApplyImport { en: "Import: write {count} shipments", ru: "Импортировать — будет записано: {count}", zh: "导入：写入 {count} 个货件" }
    /// Nothing would be written.
    NothingToWrite { en: "Nothing to write: every row is already stored, repeated or refused.", ru: "Записывать нечего: все строки уже сохранены, повторяются или отклонены.", zh: "没有需要写入的内容：所有行均已存在、重复或被拒绝。" }
    /// The progress bar's label.
    ImportProgress { en: "Import progress", ru: "Ход импорта", zh: "导入进度" }
    /// How far: `{done}`, `{total}`.
    DoneOfTotal { en: "{done} of {total} written", ru: "записано {done} из {total}", zh: "已写入 {done}/{total}" }
    /// The page may be left.
    MayLeave { en: "You may leave this page: the import goes on on the server.", ru: "Страницу можно закрыть: импорт продолжится на сервере.", zh: "您可以离开此页面：导入将在服务器上继续进行。" }
    /// The import ended: `{done}`, `{total}`.
    ImportApplied { en: "Imported: {done} of {total} written.", ru: "Импорт завершён: записано {done} из {total}.", zh: "导入完成：已写入 {done}/{total}。" }
    /// The import's job failed.
    ImportFailed { en: "The import stopped before the end. Press “Import” again: it goes on where it stopped.", ru: "Импорт остановился до конца. Нажмите «Импортировать» снова: он продолжится с места остановки.", zh: "导入未完成即停止。请再次点击“导入”，将从中断处继续。" }
    /// The page stopped asking.
    StillImporting { en: "Still importing on the server. Check again in a while.", ru: "Импорт ещё идёт на сервере. Проверьте чуть позже.", zh: "服务器仍在导入，请稍后再查看。" }
    /// Asking again.
    CheckAgain { en: "Check again", ru: "Проверить снова", zh: "再次查看" }
    /// The link to the list after an import.
    OpenShipments { en: "Open the shipments", ru: "Открыть отправления", zh: "查看货件" }
    /// Starting over.
    AnotherFile { en: "Import another file", ru: "Импортировать другой файл", zh: "导入其他文件" }
    /// After a file error.
    NothingWritten { en: "Nothing was written. Fix the file or choose another one.", ru: "Ничего не записано. Исправьте файл или выберите другой.", zh: "未写入任何内容。请修正文件或选择其他文件。" }
    /// The export link.
    ExportCsv { en: "Export these to CSV", ru: "Выгрузить эти в CSV", zh: "将这些导出为 CSV" }

    /// The field: the seller's reference.
    FieldReference { en: "Your reference", ru: "Ваш код", zh: "您的编号" }
    /// The field: the status.
    FieldStatus { en: "Status", ru: "Статус", zh: "状态" }
    /// The field: the expected delivery.
    FieldEstimatedDelivery { en: "Expected delivery", ru: "Ожидаемая доставка", zh: "预计送达" }
    /// The field: the pickup point's name.
    FieldPickupPointName { en: "Pickup point", ru: "Пункт выдачи", zh: "取件点" }
    /// The field: the pickup point's address.
    FieldPickupPointAddress { en: "Pickup point's address", ru: "Адрес пункта выдачи", zh: "取件点地址" }
    /// The field: the pickup code.
    FieldPickupCode { en: "Pickup code", ru: "Код получения", zh: "取件码" }
    /// The field: kept until.
    FieldStorageUntil { en: "Kept until", ru: "Хранится до", zh: "保管至" }
    /// The field: the buyer's phone.
    FieldPhone { en: "Buyer's phone (last 4 digits kept)", ru: "Телефон покупателя (хранятся 4 последние цифры)", zh: "买家电话（仅保留后 4 位）" }
    /// The field: the buyer's postcode.
    FieldPostcode { en: "Buyer's postcode", ru: "Индекс покупателя", zh: "买家邮编" }
    /// A change: the pickup point.
    ChangePickupPoint { en: "pickup point", ru: "пункт выдачи", zh: "取件点" }
    /// A change: the buyer's check.
    ChangeBuyerCheck { en: "buyer's check (phone or postcode)", ru: "проверка покупателя (телефон или индекс)", zh: "买家验证（电话或邮编）" }

    /// Refused: no reference column.
    ReasonNoReferenceColumn { en: "The file has no column to key shipments by: map a reference, parcel, order or tracking number column.", ru: "В файле нет столбца-ключа: укажите столбец с вашим кодом, номером отправления, заказа или трек-номером.", zh: "文件中没有可作为货件标识的列：请指定编号、包裹号、订单号或运单号列。" }
    /// Refused: empty reference.
    ReasonNoReference { en: "The number that keys the shipment is empty in this line.", ru: "В строке пуст номер, по которому определяется отправление.", zh: "此行中用于标识货件的单号为空。" }
    /// Refused: a bad reference.
    ReasonBadReference { en: "Your reference must be 1 to 100 Latin letters, digits, dots, dashes or underscores.", ru: "Ваш код должен состоять из 1–100 латинских букв, цифр, точек, дефисов или подчёркиваний.", zh: "您的编号须为 1 至 100 个拉丁字母、数字、点、短横线或下划线。" }
    /// Refused: a bad number: `{field}`, `{problem}`.
    ReasonBadNumber { en: "{field}: not a usable number ({problem}).", ru: "{field}: номер не подходит ({problem}).", zh: "{field}：单号无效（{problem}）。" }
    /// Refused: no status.
    ReasonNoStatus { en: "The status is empty, or the file has no status column.", ru: "Статус не указан, или в файле нет столбца статуса.", zh: "状态为空，或文件中没有状态列。" }
    /// Refused: an unknown status: `{field}`, `{text}`.
    ReasonUnknownStatus { en: "{field}: “{text}” is not a status the import knows.", ru: "{field}: «{text}» — незнакомый импорту статус.", zh: "{field}：“{text}”不是可识别的状态。" }
    /// Refused: a bad date: `{field}`, `{text}`.
    ReasonBadDate { en: "{field}: “{text}” is not a date (write 25.11.2026 or 2026-11-25).", ru: "{field}: «{text}» — не дата (пишите 25.11.2026 или 2026-11-25).", zh: "{field}：“{text}”不是日期（请写作 2026-11-25 或 2026年11月25日）。" }
    /// Refused: too long: `{field}`, `{max}`.
    ReasonTooLong { en: "{field}: longer than {max} characters.", ru: "{field}: длиннее {max} символов.", zh: "{field}：超过 {max} 个字符。" }
    /// Refused: a bad phone.
    ReasonBadPhone { en: "The phone has fewer than four digits.", ru: "В телефоне меньше четырёх цифр.", zh: "电话号码少于四位数字。" }
    /// Refused: a bad postcode.
    ReasonBadPostcode { en: "The postcode has no letter or digit.", ru: "В индексе нет ни букв, ни цифр.", zh: "邮编中没有字母或数字。" }
    /// Refused: a conflict: `{line}`.
    ReasonConflict { en: "Line {line} has the same shipment with other data: keep one of them.", ru: "В строке {line} то же отправление с другими данными: оставьте одну из строк.", zh: "第 {line} 行是同一货件但数据不同：请只保留一行。" }
    /// Refused: the API's checks: `{path}`.
    ReasonInvalid { en: "The server did not accept this line ({path}).", ru: "Сервер не принял эту строку ({path}).", zh: "服务器未接受此行（{path}）。" }
    /// A number: empty.
    NumberEmpty { en: "empty", ru: "пусто", zh: "为空" }
    /// A number: too long.
    NumberTooLong { en: "too long", ru: "слишком длинный", zh: "过长" }
    /// A number: bad characters.
    NumberBadCharacters { en: "characters a number does not have", ru: "недопустимые символы", zh: "含有无效字符" }
    /// A number: a typing mistake (a check digit).
    NumberMistyped { en: "a typing mistake: its check digit does not match", ru: "опечатка: не сходится контрольная цифра", zh: "输入错误：校验位不符" }
    /// A number: an unknown country.
    NumberUnknownCountry { en: "an unknown country code", ru: "неизвестный код страны", zh: "未知的国家代码" }

    /// The file: empty.
    FileEmpty { en: "The file is empty.", ru: "Файл пуст.", zh: "文件为空。" }
    /// The file: too large.
    FileTooLarge { en: "The file is larger than 50 MB. Split it into smaller files.", ru: "Файл больше 50 МБ. Разделите его на файлы поменьше.", zh: "文件超过 50 MB，请拆分为较小的文件。" }
    /// The file: too many rows.
    FileTooManyRows { en: "The file has more than 100 000 rows. Split it into smaller files.", ru: "В файле больше 100 000 строк. Разделите его на файлы поменьше.", zh: "文件超过 100 000 行，请拆分为较小的文件。" }
    /// The file: a row too wide.
    FileRowTooWide { en: "A row is far too wide: often a quote left open in a CSV. Check the file in Excel.", ru: "Одна из строк слишком широкая: часто это незакрытая кавычка в CSV. Проверьте файл в Excel.", zh: "某一行过宽：通常是 CSV 中有未闭合的引号。请在 Excel 中检查文件。" }
    /// The file: an unknown encoding.
    FileUnknownEncoding { en: "The file's text is in an unknown encoding. Save it as CSV UTF-8 or Windows-1251.", ru: "Текст файла в неизвестной кодировке. Сохраните его как CSV UTF-8 или Windows-1251.", zh: "文件文本编码无法识别。请另存为 CSV UTF-8 或 Windows-1251。" }
    /// The file: an old Excel.
    FileUnsupportedFormat { en: "This is an old Excel file (.xls) or another binary file. Save it as XLSX or CSV.", ru: "Это старый файл Excel (.xls) или другой двоичный файл. Сохраните его как XLSX или CSV.", zh: "这是旧版 Excel 文件（.xls）或其他二进制文件。请另存为 XLSX 或 CSV。" }
    /// The file: a workbook that unpacks too large.
    FileUnpacksTooLarge { en: "The XLSX file unpacks to too much data. Save it as CSV, or split it.", ru: "XLSX-файл распаковывается в слишком большой объём. Сохраните его как CSV или разделите.", zh: "XLSX 文件解压后数据过大。请另存为 CSV 或拆分。" }
    /// The file: a workbook with too much text.
    FileTextTooLarge { en: "The file holds too much text. Split it into smaller files.", ru: "В файле слишком много текста. Разделите его на файлы поменьше.", zh: "文件中文本过多。请拆分为较小的文件。" }
    /// The file: unreadable.
    FileUnreadable { en: "The file could not be read. Save it again as XLSX or CSV and retry.", ru: "Файл не удалось прочитать. Сохраните его заново как XLSX или CSV и повторите.", zh: "无法读取该文件。请重新另存为 XLSX 或 CSV 后重试。" }
    /// The file: a broken workbook.
    FileBadWorkbook { en: "The XLSX file is damaged or has no sheet.", ru: "XLSX-файл повреждён или в нём нет листов.", zh: "XLSX 文件已损坏或没有工作表。" }
    /// The file: no header row.
    FileNoHeaderRow { en: "No header row found: the first 20 rows must name a number column (order, parcel or tracking number) and a status column.", ru: "Не найдена строка заголовков: в первых 20 строках должны быть столбец номера (заказа, отправления или трек-номер) и столбец статуса.", zh: "未找到表头行：前 20 行中须有单号列（订单号、包裹号或运单号）和状态列。" }
    /// The file: neither CSV nor XLSX.
    FileWrongType { en: "This is not a CSV or XLSX file.", ru: "Это не файл CSV или XLSX.", zh: "这不是 CSV 或 XLSX 文件。" }

    /// The members section.
    NavMembers { en: "Members", ru: "Участники", zh: "成员" }
    /// The API tokens section.
    NavTokens { en: "API tokens", ru: "API-токены", zh: "API 令牌" }
    /// The audit log section.
    NavAudit { en: "Audit log", ru: "Журнал действий", zh: "操作日志" }
    /// The provider keys section.
    NavKeys { en: "Provider keys", ru: "Ключи провайдеров", zh: "服务商密钥" }
    /// The settings section.
    NavSettings { en: "Settings", ru: "Настройки", zh: "设置" }
    /// Copying a secret shown once.
    Copy { en: "Copy", ru: "Копировать", zh: "复制" }
    /// It was copied.
    Copied { en: "Copied.", ru: "Скопировано.", zh: "已复制。" }
    /// The clipboard refused.
    CopyFailed { en: "Could not copy: select the text and copy it yourself.", ru: "Не удалось скопировать: выделите текст и скопируйте его вручную.", zh: "无法复制：请选中文本后手动复制。" }

    /// The members page's heading.
    MembersTitle { en: "Members: who signs in to this console", ru: "Участники: кто входит в этот кабинет", zh: "成员：可登录此控制台的人" }
    /// A member's passkeys: `{count}`.
    MemberPasskeys { en: "passkeys: {count}", ru: "ключей доступа: {count}", zh: "通行密钥：{count}" }
    /// A member without a password.
    MemberNoLogin { en: "no password", ru: "без пароля", zh: "无密码" }
    /// Since when: `{date}`.
    MemberSince { en: "since {date}", ru: "с {date}", zh: "{date} 加入" }
    /// The open invitations' heading.
    InvitationsOpen { en: "Open invitations", ru: "Действующие приглашения", zh: "未使用的邀请" }
    /// An open invitation: `{role}`, `{date}`.
    InvitationUntil { en: "{role}, valid until {date}", ru: "{role}, действует до {date}", zh: "{role}，有效期至 {date}" }
    /// No open invitations.
    NoInvitations { en: "No open invitations.", ru: "Действующих приглашений нет.", zh: "没有未使用的邀请。" }
    /// The invitation form's heading.
    InviteTitle { en: "Invite a member", ru: "Пригласить участника", zh: "邀请成员" }
    /// The role's label.
    InviteRole { en: "Role", ru: "Роль", zh: "角色" }
    /// The owner's role, as offered.
    RoleOwnerChoice { en: "Owner", ru: "Владелец", zh: "店主" }
    /// The staff's role, as offered.
    RoleStaffChoice { en: "Staff", ru: "Сотрудник", zh: "员工" }
    /// What each role may do.
    RolesHint { en: "An owner may do everything; staff works with shipments and import, not with keys, tokens, webhooks, members or settings.", ru: "Владелец может всё; сотрудник работает с отправлениями и импортом, без ключей, токенов, вебхуков, участников и настроек.", zh: "店主拥有全部权限；员工可处理货件与导入，无权管理密钥、令牌、Webhook、成员和设置。" }
    /// The invitation's button.
    InviteButton { en: "Make the invitation link", ru: "Создать ссылку-приглашение", zh: "生成邀请链接" }
    /// The link, shown once: `{date}`.
    LinkOnce { en: "The invitation link, shown this once: send it to the person you invite. It works once, until {date}.", ru: "Ссылка-приглашение показана один раз: отправьте её тому, кого приглашаете. Она сработает один раз, до {date}.", zh: "邀请链接仅显示这一次：请发送给受邀人。仅可使用一次，有效期至 {date}。" }
    /// Removing a member.
    RemoveMember { en: "Remove the member", ru: "Удалить участника", zh: "移除成员" }
    /// The removal's question: `{name}`.
    RemoveMemberConfirm { en: "Remove {name}? Their sessions end at once.", ru: "Удалить участника {name}? Все его сеансы сразу завершатся.", zh: "移除 {name}？其所有会话将立即结束。" }
    /// The signed-in member's own row: `{name}`.
    MemberYou { en: "{name} (you)", ru: "{name} (вы)", zh: "{name}（您）" }
    /// Yes, remove.
    RemoveYes { en: "Remove", ru: "Удалить", zh: "移除" }
    /// 409 last_owner.
    ErrLastOwner { en: "This is the shop's last owner: invite another owner first.", ru: "Это последний владелец магазина: сначала пригласите другого владельца.", zh: "这是店铺的最后一位店主：请先邀请另一位店主。" }

    /// The tokens page's heading.
    TokensTitle { en: "API tokens: for your backend and scripts", ru: "API-токены: для вашего бэкенда и скриптов", zh: "API 令牌：用于您的后端和脚本" }
    /// No tokens.
    TokensEmpty { en: "No tokens.", ru: "Токенов нет.", zh: "暂无令牌。" }
    /// When a token was made: `{date}`.
    TokenMade { en: "made {date}", ru: "создан {date}", zh: "创建于 {date}" }
    /// When it was last used: `{date}`.
    TokenUsed { en: "last used {date}", ru: "последнее использование {date}", zh: "最近使用于 {date}" }
    /// Never used.
    TokenNeverUsed { en: "never used", ru: "не использовался", zh: "从未使用" }
    /// The new token's heading.
    NewToken { en: "A new token", ru: "Новый токен", zh: "新建令牌" }
    /// The token's name.
    TokenName { en: "Its name (what will use it)", ru: "Название (что будет его использовать)", zh: "名称（用途）" }
    /// The token's button.
    CreateToken { en: "Make the token", ru: "Создать токен", zh: "生成令牌" }
    /// The token, shown once.
    TokenOnce { en: "The token, shown this once: copy it into the system that uses it now.", ru: "Токен показан один раз: скопируйте его сейчас в систему, которая будет его использовать.", zh: "令牌仅显示这一次：请立即复制到使用它的系统中。" }
    /// Revoking a token.
    RevokeToken { en: "Revoke", ru: "Отозвать", zh: "吊销" }
    /// The revocation's question: `{name}`.
    RevokeConfirm { en: "Revoke “{name}”? Whatever uses it is refused from its next request on.", ru: "Отозвать «{name}»? Всё, что его использует, получит отказ со следующего запроса.", zh: "吊销“{name}”？使用它的系统将从下一次请求起被拒绝。" }
    /// 409 last_token.
    ErrLastToken { en: "This is the last token: make its replacement first.", ru: "Это последний токен: сначала создайте ему замену.", zh: "这是最后一个令牌：请先创建替代令牌。" }
    /// A token's name missing or too long.
    ErrTokenName { en: "Name the token (1 to 64 characters).", ru: "Назовите токен (от 1 до 64 символов).", zh: "请为令牌命名（1 至 64 个字符）。" }

    /// The audit log's heading.
    AuditTitle { en: "Audit log: who changed what", ru: "Журнал действий: кто что изменил", zh: "操作日志：谁修改了什么" }
    /// Nothing in the log.
    AuditEmpty { en: "Nothing recorded yet.", ru: "Пока ничего не записано.", zh: "尚无操作记录。" }
    /// A change by neither a member nor a token this log still knows.
    AuditSomeone { en: "Someone", ru: "Кто-то", zh: "某人" }
    /// A change made with a token: `{name}`.
    AuditByToken { en: "The token “{name}”", ru: "Токен «{name}»", zh: "令牌“{name}”" }
    /// shipment.put: `{who}`, `{target}`.
    AuditShipmentPut { en: "{who} saved the shipment {target}", ru: "{who}: сохранено отправление {target}", zh: "{who} 保存了货件 {target}" }
    /// shipment.patch.
    AuditShipmentPatch { en: "{who} changed fields of the shipment {target}", ru: "{who}: изменены поля отправления {target}", zh: "{who} 修改了货件 {target} 的字段" }
    /// shipment.delete.
    AuditShipmentDelete { en: "{who} deleted the shipment {target}", ru: "{who}: удалено отправление {target}", zh: "{who} 删除了货件 {target}" }
    /// shipments.put.
    AuditShipmentsPut { en: "{who} saved shipments in bulk", ru: "{who}: сохранены отправления пакетом", zh: "{who} 批量保存了货件" }
    /// events.append.
    AuditEventsAppend { en: "{who} moved the shipment {target} (added an event)", ru: "{who}: отправление {target} переведено (добавлено событие)", zh: "{who} 为货件 {target} 添加了记录（变更状态）" }
    /// settings.put.
    AuditSettingsPut { en: "{who} changed the shop's settings", ru: "{who}: изменены настройки магазина", zh: "{who} 修改了店铺设置" }
    /// webhook.create.
    AuditWebhookCreate { en: "{who} added a webhook", ru: "{who}: добавлен вебхук", zh: "{who} 添加了 Webhook" }
    /// webhook.delete.
    AuditWebhookDelete { en: "{who} deleted the webhook {target}", ru: "{who}: удалён вебхук {target}", zh: "{who} 删除了 Webhook {target}" }
    /// webhook.rotate.
    AuditWebhookRotate { en: "{who} gave the webhook {target} a new secret", ru: "{who}: новый секрет вебхука {target}", zh: "{who} 更换了 Webhook {target} 的密钥" }
    /// token.create.
    AuditTokenCreate { en: "{who} made an API token", ru: "{who}: создан API-токен", zh: "{who} 生成了 API 令牌" }
    /// token.revoke.
    AuditTokenRevoke { en: "{who} revoked the API token {target}", ru: "{who}: отозван API-токен {target}", zh: "{who} 吊销了 API 令牌 {target}" }
    /// ozon_keys.put.
    AuditOzonKeysPut { en: "{who} replaced the Ozon keys", ru: "{who}: заменены ключи Ozon", zh: "{who} 更新了 Ozon 密钥" }
    /// provider_keys.put.
    AuditProviderKeysPut { en: "{who} replaced the keys ({target})", ru: "{who}: заменены ключи ({target})", zh: "{who} 更新了密钥（{target}）" }
    /// The audit log: the Ozon keys checked with Ozon.
    AuditOzonKeysCheck { en: "{who} checked the Ozon keys with Ozon", ru: "{who}: проверены ключи Ozon", zh: "{who} 向 Ozon 检查了密钥" }
    /// The audit log: a carrier's keys checked with it (`{target}` names the provider).
    AuditProviderKeysCheck { en: "{who} checked the keys with {target}", ru: "{who}: проверены ключи ({target})", zh: "{who} 向 {target} 检查了密钥" }
    /// member.invite.
    AuditMemberInvite { en: "{who} invited a member", ru: "{who}: приглашён участник", zh: "{who} 邀请了成员" }
    /// member.remove.
    AuditMemberRemove { en: "{who} removed the member {target}", ru: "{who}: удалён участник {target}", zh: "{who} 移除了成员 {target}" }
    /// Any other change: `{who}`, `{call}` (its method and route).
    AuditOther { en: "{who}: {call}", ru: "{who}: {call}", zh: "{who}：{call}" }

    /// The keys page's heading.
    KeysTitle { en: "Provider keys: Ozon and carriers", ru: "Ключи провайдеров: Ozon и перевозчики", zh: "服务商密钥：Ozon 与承运商" }
    /// Keys are sealed.
    KeysSealed { en: "Keys are sealed on the server and never shown again, here or anywhere: to change them, enter new ones.", ru: "Ключи хранятся на сервере в зашифрованном виде и больше нигде не показываются: чтобы изменить их, введите новые.", zh: "密钥在服务器上加密保存，之后不会在任何地方再次显示：如需更改，请输入新的密钥。" }
    /// Saved.
    KeysSaved { en: "Saved and sealed; the form was cleared.", ru: "Сохранено и зашифровано; форма очищена.", zh: "已保存并加密，表单已清空。" }
    /// A provider refused the keys: `{provider}`, `{date}`, `{reason}`.
    KeysRefused { en: "{provider} refused the keys kept now ({date}): {reason}. Enter new ones.", ru: "{provider} отклонил сохранённые ключи ({date}): {reason}. Введите новые.", zh: "{provider} 拒绝了当前保存的密钥（{date}）：{reason}。请输入新的密钥。" }
    /// The keys' button.
    SaveKeys { en: "Save the keys", ru: "Сохранить ключи", zh: "保存密钥" }
    /// A login.
    KeyLogin { en: "Login", ru: "Логин", zh: "登录名" }
    /// A client id.
    KeyClientId { en: "Client ID", ru: "Идентификатор клиента (Client ID)", zh: "客户端 ID（Client ID）" }
    /// A client secret.
    KeyClientSecret { en: "Client secret", ru: "Секрет клиента (Client Secret)", zh: "客户端密钥（Client Secret）" }
    /// An API key.
    KeyApiKey { en: "API key", ru: "API-ключ", zh: "API 密钥" }
    /// Where Ozon's keys are.
    KeysHintOzon { en: "Ozon's seller cabinet: Settings → Seller API.", ru: "Личный кабинет продавца Ozon: Настройки → Seller API.", zh: "Ozon 卖家后台：设置 → Seller API。" }
    /// Where Russian Post's are.
    KeysHintRussianPost { en: "The tracking service's “Access settings”: S10 numbers ending in RU and 14-digit ones.", ru: "«Настройки доступа» сервиса отслеживания: номера S10 с окончанием RU и 14-значные.", zh: "跟踪服务的“访问设置”：以 RU 结尾的 S10 单号及 14 位单号。" }
    /// Where CDEK's are.
    KeysHintCdek { en: "The integration's account and secure password: 10-digit waybills.", ru: "Учётная запись интеграции и секретный пароль: 10-значные накладные.", zh: "集成账户与安全密码：10 位运单号。" }
    /// What 17TRACK is for.
    KeysHintSeventeenTrack { en: "Any other number, cross-border legs included.", ru: "Любые другие номера, включая международные участки.", zh: "其他任何单号，包括跨境段。" }
    /// A key left empty or too long.
    ErrKeyRequired { en: "Fill in every key (1 to 200 characters).", ru: "Заполните все ключи (от 1 до 200 символов).", zh: "请填写所有密钥（1 至 200 个字符）。" }
    /// Ozon's client id is digits.
    ErrOzonClientId { en: "Ozon's Client ID is digits only.", ru: "Client ID Ozon состоит только из цифр.", zh: "Ozon 的 Client ID 仅包含数字。" }

    /// The settings page's heading.
    SettingsTitle { en: "Settings: who may show your parcels", ru: "Настройки: кто может показывать ваши посылки", zh: "设置：谁可以展示您的包裹" }
    /// The origins' label.
    AllowedOrigins { en: "Your storefronts allowed to show the tracking, one per line (none: any)", ru: "Ваши витрины, которым можно показывать отслеживание, по одной в строке (пусто — любые)", zh: "允许展示物流跟踪的店铺，每行一个（留空则不限）" }
    /// How an origin is written.
    OriginsHint { en: "As https://shop.example: a scheme and a host, perhaps a port, no path.", ru: "Вида https://shop.example: схема и хост, возможно порт, без пути.", zh: "格式如 https://shop.example：协议和主机名，可带端口，不含路径。" }
    /// A line that is no origin: `{line}`.
    ErrOriginLine { en: "Line {line} is not an origin: write it as https://shop.example, with no path.", ru: "Строка {line} — не адрес витрины: пишите как https://shop.example, без пути.", zh: "第 {line} 行不是有效的来源：请写成 https://shop.example，不含路径。" }
    /// Too many origins: `{count}`.
    ErrTooManyOrigins { en: "At most {count} storefronts.", ru: "Не больше {count} витрин.", zh: "最多 {count} 个店铺。" }
    /// The second factor's label.
    OrderCheck { en: "A buyer who looks up by order number also gives", ru: "Покупатель, который ищет по номеру заказа, указывает также", zh: "按订单号查询的买家还需提供" }
    /// No second factor.
    OrderCheckNone { en: "Nothing more", ru: "Больше ничего", zh: "无需其他信息" }
    /// The phone's last four digits.
    OrderCheckPhone { en: "The last 4 digits of their phone", ru: "Последние 4 цифры телефона", zh: "手机号后 4 位" }
    /// The postcode.
    OrderCheckPostcode { en: "Their postcode", ru: "Почтовый индекс", zh: "邮政编码" }
    /// The settings' button.
    SaveSettings { en: "Save the settings", ru: "Сохранить настройки", zh: "保存设置" }
    /// Saved.
    SettingsSaved { en: "Saved.", ru: "Сохранено.", zh: "已保存。" }
    /// The snippet's heading.
    SnippetTitle { en: "The snippet for your shop's pages", ru: "Код для страниц вашего магазина", zh: "店铺页面代码" }
    /// What the configurator does.
    SnippetHint { en: "The configurator writes the snippet that puts the tracking on your pages.", ru: "Конфигуратор составит код, который добавит отслеживание на ваши страницы.", zh: "配置器会生成将物流跟踪嵌入您页面的代码。" }
    /// The configurator's link.
    OpenConfigurator { en: "Open the configurator", ru: "Открыть конфигуратор", zh: "打开配置器" }
    /// Who made an open invitation: `{name}`.
    InvitedBy { en: "made by {name}", ru: "автор: {name}", zh: "由 {name} 创建" }
    /// Revoking an open invitation.
    RevokeInvitation { en: "Revoke the invitation", ru: "Отозвать приглашение", zh: "撤销邀请" }
    /// The revocation's question.
    RevokeInvitationConfirm { en: "Revoke this invitation? Its link stops working at once.", ru: "Отозвать приглашение? Ссылка сразу перестанет работать.", zh: "撤销此邀请？其链接将立即失效。" }
    /// The revocation's yes.
    RevokeInvitationYes { en: "Yes, revoke it", ru: "Да, отозвать", zh: "确认撤销" }
    /// What a member's removal revokes with it: `{what}` (tokens and invitations), `{name}`.
    RemovalRevokes { en: "{what} made by {name} will stop working.", ru: "Вместе с участником {name} перестанут работать: {what}.", zh: "{name} 创建的{what}将失效。" }
    /// Joins two counted things.
    AndWord { en: " and ", ru: " и ", zh: "和" }
    /// `{count}` API tokens, when the count is one (Russian: ends in 1, not 11).
    ApiTokensOne { en: "{count} API token", ru: "{count} API-токен", zh: "{count} 个 API 令牌" }
    /// `{count}` API tokens, when the count is a few (Russian: ends in 2 to 4, not 12 to 14).
    ApiTokensFew { en: "{count} API tokens", ru: "{count} API-токена", zh: "{count} 个 API 令牌" }
    /// `{count}` API tokens, otherwise.
    ApiTokensMany { en: "{count} API tokens", ru: "{count} API-токенов", zh: "{count} 个 API 令牌" }
    /// `{count}` invitations, when the count is one.
    InvitationsOne { en: "{count} invitation", ru: "{count} приглашение", zh: "{count} 个邀请" }
    /// `{count}` invitations, when the count is a few.
    InvitationsFew { en: "{count} invitations", ru: "{count} приглашения", zh: "{count} 个邀请" }
    /// `{count}` invitations, otherwise.
    InvitationsMany { en: "{count} invitations", ru: "{count} приглашений", zh: "{count} 个邀请" }
    /// The audit log: a token made, by its name.
    AuditTokenCreateNamed { en: "{who} made the API token “{target}”", ru: "{who}: создан API-токен «{target}»", zh: "{who} 生成了 API 令牌“{target}”" }
    /// The audit log: an invitation revoked.
    AuditInvitationRevoke { en: "{who} revoked an invitation", ru: "{who}: отозвано приглашение", zh: "{who} 撤销了一个邀请" }
    /// The audit log: a password sign-in, from the network `{target}`.
    AuditSignInPassword { en: "{who} signed in with a password (network {target})", ru: "{who}: вход по паролю (сеть {target})", zh: "{who} 使用密码登录（网络 {target}）" }
    /// The audit log: a passkey sign-in, from the network `{target}`.
    AuditSignInPasskey { en: "{who} signed in with a passkey (network {target})", ru: "{who}: вход с ключом доступа (сеть {target})", zh: "{who} 使用通行密钥登录（网络 {target}）" }
    /// The audit log: signed out everywhere.
    AuditSignOutEverywhere { en: "{who} signed out on every device", ru: "{who}: выход на всех устройствах", zh: "{who} 在所有设备上退出登录" }
    /// The button that asks a provider whether it takes the saved keys.
    CheckKeys { en: "Check the keys", ru: "Проверить ключи", zh: "检查密钥" }
    /// While the provider is asked.
    CheckAsking { en: "Asking {provider}…", ru: "Проверяем ключи: {provider}…", zh: "正在询问 {provider}…" }
    /// The provider took the keys.
    CheckAccepted { en: "{provider} accepted the keys.", ru: "{provider}: ключи приняты.", zh: "{provider} 接受了密钥。" }
    /// The provider refused the keys, saying nothing more.
    CheckRefused { en: "{provider} refused the keys. Enter new ones.", ru: "{provider}: ключи отклонены. Введите новые.", zh: "{provider} 拒绝了密钥。请输入新的密钥。" }
    /// The provider refused the keys, in its own words.
    CheckRefusedSaid { en: "{provider} refused the keys: {message}", ru: "{provider}: ключи отклонены: {message}", zh: "{provider} 拒绝了密钥：{message}" }
    /// The provider asks to wait this long.
    CheckLimited { en: "{provider} asks to slow down. Try again in {seconds} s.", ru: "{provider} просит подождать. Попробуйте снова через {seconds} с.", zh: "{provider} 要求放慢请求。请在 {seconds} 秒后重试。" }
    /// The provider asks to wait, not saying how long.
    CheckLimitedLater { en: "{provider} asks to slow down. Try again later.", ru: "{provider} просит подождать. Попробуйте позже.", zh: "{provider} 要求放慢请求。请稍后重试。" }
    /// No answer in time.
    CheckUnreachable { en: "Could not reach {provider}. Try again later.", ru: "{provider}: нет ответа. Попробуйте позже.", zh: "无法连接 {provider}。请稍后重试。" }
    /// An answer that says nothing of the keys.
    CheckUnexpected { en: "{provider} answered something unexpected (HTTP {status}); it said nothing of the keys.", ru: "{provider}: неожиданный ответ (HTTP {status}), о ключах в нём ничего нет.", zh: "{provider} 返回了意外的响应（HTTP {status}），未说明密钥是否有效。" }
    /// No keys saved.
    CheckNoKeys { en: "No keys are saved for {provider}.", ru: "{provider}: ключи не сохранены.", zh: "尚未保存 {provider} 的密钥。" }
    /// Too many checks of this seller's.
    CheckTooOften { en: "Too many checks. Try again in {seconds} s.", ru: "Слишком много проверок. Попробуйте снова через {seconds} с.", zh: "检查次数过多。请在 {seconds} 秒后重试。" }
    /// The file picker before a file is chosen.
    NoFileChosen { en: "No file chosen", ru: "Файл не выбран", zh: "未选择文件" }
    /// Why a shipment stored without a reference has no page.
    NoReferenceWhy { en: "Stored without a reference, so it has no page here: write it again under a reference to open it.", ru: "Сохранено без вашего кода, поэтому здесь у него нет страницы: запишите его заново с кодом, чтобы открыть.", zh: "保存时没有编号，因此此处没有其页面：请用编号重新写入后再打开。" }
    /// The support contacts' part of the edit form.
    SupportTitle { en: "Support contacts", ru: "Контакты поддержки", zh: "客服联系方式" }
    /// What the buyer sees of them.
    SupportHint { en: "The buyer sees them under the parcel: how to reach you about this order.", ru: "Покупатель видит их под посылкой: как связаться с вами по этому заказу.", zh: "买家会在包裹下方看到：如何就此订单联系您。" }
    /// A contact's kind.
    ContactKind { en: "Kind", ru: "Вид", zh: "类型" }
    /// A contact's value.
    ContactValue { en: "Address, number or link", ru: "Адрес, номер или ссылка", zh: "地址、号码或链接" }
    /// Adds a contact.
    AddContact { en: "Add a contact", ru: "Добавить контакт", zh: "添加联系方式" }
    /// Removes a contact.
    RemoveContact { en: "Remove contact {n}", ru: "Удалить контакт {n}", zh: "删除联系方式 {n}" }
    /// The contact's number in the list.
    ContactN { en: "Contact {n}", ru: "Контакт {n}", zh: "联系方式 {n}" }
    /// The contact kinds, as the seller picks one (the buyer's buttons say "Call", "Open a ticket").
    KindPhone { en: "Phone", ru: "Телефон", zh: "电话" }
    /// A contact kind.
    KindEmail { en: "E-mail", ru: "Эл. почта", zh: "电子邮件" }
    /// A contact kind.
    KindTelegram { en: "Telegram", ru: "Телеграм", zh: "电报（Telegram）" }
    /// A contact kind.
    KindVk { en: "VK", ru: "ВКонтакте", zh: "VK（VKontakte）" }
    /// A contact kind.
    KindHelpCenter { en: "Help centre page", ru: "Страница справки", zh: "帮助中心页面" }
    /// A contact kind.
    KindTicket { en: "Ticket form", ru: "Форма обращения", zh: "工单表单" }
    /// The file: too many cells over its rows.
    FileTooManyCells { en: "The file has too many cells (over 2 000 000: rows × columns). Delete the columns you do not import, or split the file.", ru: "В файле слишком много ячеек (больше 2 000 000: строки × столбцы). Удалите столбцы, которые не нужны для импорта, или разделите файл.", zh: "文件单元格过多（超过 2 000 000：行 × 列）。请删除不需导入的列，或拆分文件。" }
    /// The seller's previous file is still being read.
    ImportReaderBusy { en: "Your previous file is still being read. Wait a few seconds and try again.", ru: "Предыдущий файл ещё читается. Подождите несколько секунд и повторите.", zh: "上一个文件仍在读取中，请稍候几秒再试。" }
    /// Another import of the seller's is being applied.
    ImportRunning { en: "Another import is being applied. Apply this one when it is done.", ru: "Сейчас применяется другой импорт. Примените этот, когда он закончится.", zh: "另一个导入正在应用中，请在其完成后再应用此导入。" }
    /// The removal's question: `{count}` of the shop's tokens name no maker, so no removal revokes them.
    TokensWithoutMaker { en: "API tokens with no known maker: {count}. Revoke them on the API tokens page if this member knew them.", ru: "API-токенов без известного автора: {count}. Если участник их знал, отзовите их на странице «API-токены».", zh: "没有已知创建者的 API 令牌：{count} 个。如果该成员知道它们，请在“API 令牌”页面撤销。" }
    /// The insights page, in the navigation.
    NavInsights { en: "Insights", ru: "Аналитика", zh: "数据分析" }
    /// The insights page's heading.
    InsightsTitle { en: "Insights", ru: "Аналитика", zh: "数据分析" }
    /// What the insights count, and what they never keep.
    InsightsLead { en: "What buyers did on the tracking page and how your parcels travel. Counted per day, without addresses, devices or typed numbers.", ru: "Что покупатели делали на странице отслеживания и как едут ваши посылки. Считается по дням, без адресов, устройств и введённых номеров.", zh: "买家在物流查询页面上的操作以及您的包裹运输情况。按天统计，不记录地址、设备或输入的单号。" }
    /// The period switch's name.
    InsightsPeriod { en: "Period", ru: "Период", zh: "时间范围" }
    /// A period: `{count}` days.
    InsightsLastDays { en: "{count} days", ru: "{count} дн.", zh: "{count} 天" }
    /// A new seller's empty page.
    InsightsEmpty { en: "No lookups yet. Once buyers look up their parcels, their lookups, taps and your carriers' times appear here.", ru: "Запросов пока нет. Когда покупатели начнут отслеживать посылки, здесь появятся их запросы, нажатия и сроки ваших перевозчиков.", zh: "暂无查询。买家开始查询包裹后，这里会显示查询、点击以及您的承运商时效。" }
    /// A chart with nothing to draw in the period.
    InsightsNothing { en: "Nothing in this period.", ru: "За этот период ничего нет.", zh: "此时间范围内没有数据。" }
    /// Lookups per day by outcome.
    InsightsLookups { en: "Lookups per day", ru: "Запросы по дням", zh: "每日查询" }
    /// An outcome.
    InsightsFound { en: "Found", ru: "Найдено", zh: "已找到" }
    /// An outcome.
    InsightsNotFound { en: "Not found", ru: "Не найдено", zh: "未找到" }
    /// An outcome: the buyer was asked for a second factor (a phone's last digits).
    InsightsCheckAsked { en: "Check asked", ru: "Запрошена проверка", zh: "要求验证" }
    /// An outcome.
    InsightsRefused { en: "Refused", ru: "Отказано", zh: "已拒绝" }
    /// The ways in.
    InsightsWaysIn { en: "Ways in", ru: "Откуда пришли", zh: "访问来源" }
    /// A way in.
    InsightsViaLink { en: "Tracking link", ru: "Ссылка отслеживания", zh: "查询链接" }
    /// A way in.
    InsightsViaTyped { en: "Typed on the tracking page", ru: "Введён на странице отслеживания", zh: "在查询页面输入" }
    /// A way in.
    InsightsViaElement { en: "Widget on your site", ru: "Виджет на вашем сайте", zh: "您网站上的组件" }
    /// A way in.
    InsightsViaIframe { en: "Iframe form", ru: "Форма во фрейме", zh: "iframe 表单" }
    /// The taps.
    InsightsTaps { en: "Taps on contacts", ru: "Нажатия на контакты", zh: "联系方式点击" }
    /// A tap on the carrier's link.
    InsightsCarrierLink { en: "Carrier's site", ru: "Сайт перевозчика", zh: "承运商网站" }
    /// The parcels now.
    InsightsNow { en: "Parcels now", ru: "Посылки сейчас", zh: "当前包裹" }
    /// The now table's first column.
    InsightsStageOrProblem { en: "Stage or problem", ru: "Этап или проблема", zh: "阶段或异常" }
    /// A count of parcels.
    InsightsParcels { en: "Parcels", ru: "Посылки", zh: "包裹数" }
    /// Push and webhooks.
    InsightsMessages { en: "Notifications and webhooks", ru: "Уведомления и вебхуки", zh: "通知与 Webhook" }
    /// A counter.
    InsightsPushSubscribed { en: "Browsers subscribed", ru: "Подписки браузеров", zh: "浏览器订阅" }
    /// A counter.
    InsightsPushSent { en: "Notifications sent", ru: "Уведомлений отправлено", zh: "已发送通知" }
    /// A counter.
    InsightsPushFailed { en: "Notifications failed", ru: "Уведомлений не доставлено", zh: "通知发送失败" }
    /// A counter.
    InsightsWebhooksDelivered { en: "Webhooks delivered", ru: "Вебхуков доставлено", zh: "Webhook 已送达" }
    /// A counter.
    InsightsWebhooksFailed { en: "Webhooks failed", ru: "Вебхуков не доставлено", zh: "Webhook 失败" }
    /// Per carrier.
    InsightsCarriers { en: "On time by carrier", ru: "Вовремя по перевозчикам", zh: "各承运商准时率" }
    /// Per route.
    InsightsRoutes { en: "On time by route", ru: "Вовремя по маршрутам", zh: "各线路准时率" }
    /// A column.
    InsightsCarrier { en: "Carrier", ru: "Перевозчик", zh: "承运商" }
    /// A column.
    InsightsFrom { en: "From", ru: "Откуда", zh: "始发地" }
    /// A column.
    InsightsTo { en: "To", ru: "Куда", zh: "目的地" }
    /// A column.
    InsightsDelivered { en: "Delivered", ru: "Доставлено", zh: "已送达" }
    /// A column.
    InsightsWithEstimate { en: "With an estimate", ru: "Со сроком", zh: "有预计时间" }
    /// A column: the share delivered within the estimate.
    InsightsOnTime { en: "On time", ru: "Вовремя", zh: "准时" }
    /// A column.
    InsightsMedianDays { en: "Days, median", ru: "Дней, медиана", zh: "天数（中位数）" }
    /// A column.
    InsightsP80Days { en: "Days, 4 in 5 within", ru: "Дней, 4 из 5 успели", zh: "天数（80% 以内）" }
    /// A column.
    InsightsDay { en: "Day", ru: "День", zh: "日期" }
    /// A column.
    InsightsKind { en: "Kind", ru: "Вид", zh: "类型" }
    /// A column.
    InsightsCount { en: "Count", ru: "Количество", zh: "数量" }
    /// The table's disclosure.
    InsightsShowNumbers { en: "Show the numbers", ru: "Показать числа", zh: "显示数字" }
    /// The CSV's button (its chart's title follows it for a screen reader).
    InsightsDownload { en: "Download CSV", ru: "Скачать CSV", zh: "下载 CSV" }
    /// The on-time rate on the home page: `{percent}`.
    InsightsOnTimeRate { en: "On time: {percent}", ru: "Вовремя: {percent}", zh: "准时率：{percent}" }
    /// No on-time rate yet.
    InsightsNoRate { en: "No delivered parcels with an estimate yet.", ru: "Пока нет доставленных посылок со сроком.", zh: "暂无带预计时间的已送达包裹。" }
    /// The home's link to the page.
    InsightsMore { en: "All insights", ru: "Вся аналитика", zh: "查看全部数据" }
    /// The home's summary heading.
    InsightsSummary { en: "Last 30 days", ru: "За 30 дней", zh: "最近 30 天" }
    /// Transit days under a carrier's or route's bar: `{median}`, `{p80}`.
    InsightsTransit { en: "half within {median} d, 4 in 5 within {p80} d", ru: "половина за {median} дн., 4 из 5 за {p80} дн.", zh: "半数 {median} 天内，80% {p80} 天内" }
    /// The page failed to load.
    InsightsFailed { en: "The insights could not be loaded.", ru: "Не удалось загрузить аналитику.", zh: "无法加载数据分析。" }
}

/// `word` in `lang` with its `{name}` placeholders filled in.
pub fn fill(lang: Lang, word: Word, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(text(lang, word).to_owned(), |out, (name, value)| {
            out.replace(&format!("{{{name}}}"), value)
        })
}

/// A language's own name, for the language switch.
pub fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "Русский",
        Lang::En => "English",
        Lang::Zh => "中文",
    }
}

/// The console's language: the first of `asked` (`?lang=`) and the browser's languages that it
/// speaks, else Russian (its sellers are first of all Russian shops).
pub fn choose(asked: Option<&str>, preferred: impl IntoIterator<Item = String>) -> Lang {
    asked
        .and_then(Lang::from_tag)
        .or_else(|| preferred.into_iter().find_map(|tag| Lang::from_tag(&tag)))
        .unwrap_or(Lang::Ru)
}
