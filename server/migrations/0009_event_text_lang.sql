-- The language an event's text is written in (a BCP 47 tag: `ru`, `zh-CN`), when its source
-- knows it: providers write in their own languages, and the widget marks the text as such.
ALTER TABLE events ADD COLUMN text_lang TEXT;
