//! A browser without the browser: one visitor's cookies kept between requests, pages read as
//! text, forms posted as a browser posts them (urlencoded, with the page's form token).

use std::collections::BTreeMap;

use crate::helpers::TestApp;

/// A page as the visitor got it.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: String,
    pub headers: BTreeMap<String, String>,
    pub cookies: Vec<String>,
    pub html: String,
}

impl Page {
    /// The form token the page carries (every form of a page carries the same one).
    pub fn token(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .html
            .find(marker)
            .unwrap_or_else(|| panic!("no form token on the page:\n{}", self.html))
            + marker.len();
        let end = self.html[start..].find('"').unwrap() + start;
        self.html[start..end].to_string()
    }

    /// Asserts the status, and that the answer is a Dutch page (HTML, `lang="nl"`).
    #[track_caller]
    pub fn expect(self, status: u16) -> Page {
        assert_eq!(self.status, status, "{}", self.html);
        if status != 303 {
            assert!(
                self.content_type.starts_with("text/html"),
                "{}",
                self.content_type
            );
            assert!(self.html.contains("<html lang=\"nl\""), "{}", self.html);
        }
        self
    }

    /// Asserts that the page shows `text` (as written in the HTML, entities and all).
    #[track_caller]
    pub fn shows(&self, text: &str) -> &Page {
        assert!(
            self.html.contains(text),
            "'{text}' not on the page:\n{}",
            self.html
        );
        self
    }

    /// The items of the error summary ("Er is iets niet goed ingevuld"), as the ids of the
    /// fields they link to.
    pub fn summary_fields(&self) -> Vec<String> {
        let Some(start) = self.html.find("Er is iets niet goed ingevuld") else {
            return Vec::new();
        };
        let summary = &self.html[start..];
        let summary = &summary[..summary.find("</ul>").unwrap_or(summary.len())];
        summary
            .split("href=\"#")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string())
            .collect()
    }

    /// The id in a redirect to `/plannen/{id}…` or `/subsidies/{id}…`.
    pub fn location_id(&self) -> String {
        let to = self.location.as_deref().expect("a redirect");
        to.split('/')
            .nth(2)
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string()
    }
}

/// One visitor: their cookies, sent back on every request.
pub struct Browser<'a> {
    app: &'a TestApp,
    agent: ureq::Agent,
    origin: String,
    cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            agent: ureq::AgentBuilder::new().redirects(0).build(),
            origin: format!("http://{}", app.addr),
            cookies: BTreeMap::new(),
        }
    }

    pub fn app(&self) -> &TestApp {
        self.app
    }

    /// Sets a cookie as someone else could have planted it.
    pub fn plant_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn send(&mut self, req: ureq::Request, body: Option<String>) -> Page {
        let req = if self.cookies.is_empty() {
            req
        } else {
            req.set("Cookie", &self.cookie_header())
        };
        let result = match body {
            Some(b) => req
                .set("Content-Type", "application/x-www-form-urlencoded")
                .send_string(&b),
            None => req.call(),
        };
        let r = match result {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        let cookies: Vec<String> = r.all("set-cookie").iter().map(|c| c.to_string()).collect();
        for c in &cookies {
            let pair = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                let removed = c.to_ascii_lowercase().contains("max-age=0") || v.is_empty();
                if removed {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let headers = r
            .headers_names()
            .into_iter()
            .map(|n| {
                let v = r.header(&n).unwrap_or("").to_string();
                (n.to_ascii_lowercase(), v)
            })
            .collect();
        Page {
            status: r.status(),
            location: r.header("location").map(String::from),
            content_type: r.header("content-type").unwrap_or("").to_string(),
            headers,
            cookies,
            html: r.into_string().unwrap_or_default(),
        }
    }

    /// Opens a page.
    pub fn get(&mut self, path: &str) -> Page {
        let req = self.agent.get(&format!("{}{path}", self.origin));
        self.send(req, None)
    }

    /// Opens an address elsewhere (the identity provider), with the same cookie jar: the jar
    /// keeps cookies by name, and the provider's names are not planloket's.
    pub fn get_url(&mut self, url: &str) -> Page {
        let req = self.agent.get(url);
        self.send(req, None)
    }

    /// Posts `fields` as a form to an address elsewhere.
    pub fn post_url(&mut self, url: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = self.agent.post(url);
        self.send(req, Some(body))
    }

    /// Posts `fields` to `path` as a form, without adding anything.
    pub fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = self.agent.post(&format!("{}{path}", self.origin));
        self.send(req, Some(body))
    }

    /// Posts `fields` to `path` with the form token of the page at `from`, as the form on
    /// that page does.
    pub fn submit(&mut self, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(from).token();
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all)
    }

    /// Posts a `multipart/form-data` form to `path` with the form token of the page at
    /// `from`, the text `fields` and one file (`field`, its name, its bytes), as a browser
    /// sends a form with a file field.
    pub fn submit_file(
        &mut self,
        from: &str,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Page {
        let token = self.get(from).token();
        let boundary = "----planloket-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in std::iter::once(("csrf", token.as_str())).chain(fields.iter().copied()) {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (field, name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut req = self.agent.post(&format!("{}{path}", self.origin));
        if !self.cookies.is_empty() {
            req = req.set("Cookie", &self.cookie_header());
        }
        let r = match req
            .set(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .send_bytes(&body)
        {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        Page {
            status: r.status(),
            location: r.header("location").map(String::from),
            content_type: r.header("content-type").unwrap_or("").to_string(),
            headers: Default::default(),
            cookies: Vec::new(),
            html: r.into_string().unwrap_or_default(),
        }
    }

    /// Signs in with a password on `/inloggen`.
    pub fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.submit(
            "/inloggen",
            "/inloggen",
            &[("email", email), ("password", password)],
        )
        .expect(303)
    }
}
