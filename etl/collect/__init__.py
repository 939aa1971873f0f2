"""Collect reports from agencies' websites: `python -m etl collect`.

seeds: the column pages to walk (registry `column_url` or a seeds file)
fetch: the polite HTTP client (robots.txt, per-host rate, retries, size limits, redirects)
pages: what a list page or report page holds (report links, next pages, attachments, 发布时间)
sniff: what a response really is (file type by its bytes, why it is not a usable report file)
state: the crawl state in SQLite (resumable) and the content-addressed file store
manifest: the sidecar JSON per kept file, written from the state, and its typed reader
crawl: the walk itself, the progress bar and the summary"""
