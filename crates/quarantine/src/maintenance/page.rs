//! The maintenance page visitors see, unless `--page FILE` gives another.

/// Seconds a visitor is told to wait (`Retry-After`).
pub const RETRY_AFTER_SECS: u32 = 3600;

/// The built-in page: plain, no external resources, no details an attacker could use.
pub const DEFAULT_PAGE: &str = "<!DOCTYPE html>
<html lang=\"en\">
<head><meta charset=\"utf-8\"><title>Down for maintenance</title>
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>
<body style=\"font-family: sans-serif; max-width: 40em; margin: 4em auto; padding: 0 1em\">
<h1>Down for maintenance</h1>
<p>This site is undergoing maintenance and will be back shortly.
Thank you for your patience.</p>
</body>
</html>
";
