package io.beaconflow.jobs.generator;

import java.util.SplittableRandom;

/**
 * Fixed vocabularies of the generator: real-looking user agents per browser family and device,
 * crawler user agents, JavaScript errors as each engine words them, click targets, referrers and
 * words for slugs. Kept as constants so generation never formats or parses text per event.
 */
final class Catalog {
    private Catalog() {}

    static final int CHROMIUM = 0;
    static final int FIREFOX = 1;
    static final int WEBKIT = 2;

    /** Which engine words a family's error messages and stacks. */
    static int engine(String family) {
        switch (family) {
            case "Firefox":
                return FIREFOX;
            case "Safari":
                return WEBKIT;
            default:
                return CHROMIUM;
        }
    }

    /** Does the family expose the Network Information API (navigator.connection)? */
    static boolean hasNetworkInfo(String family) {
        return !family.equals("Firefox") && !family.equals("Safari");
    }

    private static final int[] CHROME_VERSIONS = {138, 139, 140, 141, 142};
    private static final int[] FIREFOX_VERSIONS = {140, 143, 144, 145};
    private static final String[] SAFARI_VERSIONS = {"18.5", "18.6", "26.0", "26.1"};
    private static final int[] SAMSUNG_VERSIONS = {27, 28, 29};

    /** All user agents for a family and device class; the device is already compatible. */
    static String[] userAgents(String family, String device) {
        java.util.List<String> out = new java.util.ArrayList<>();
        switch (family) {
            case "Chrome":
                for (int v : CHROME_VERSIONS) {
                    String cv = "Chrome/" + v + ".0.0.0";
                    if (device.equals("desktop")) {
                        out.add(win(blink(cv + " Safari/537.36")));
                        out.add(mac(blink(cv + " Safari/537.36")));
                        out.add(
                                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like"
                                        + " Gecko) "
                                        + cv
                                        + " Safari/537.36");
                    } else if (device.equals("mobile")) {
                        out.add(android(cv + " Mobile Safari/537.36"));
                        out.add(
                                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X)"
                                        + " AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/"
                                        + v
                                        + ".0.7390.96 Mobile/15E148 Safari/604.1");
                    } else {
                        out.add(android(cv + " Safari/537.36"));
                    }
                }
                break;
            case "Edge":
                for (int v : CHROME_VERSIONS) {
                    String cv = "Chrome/" + v + ".0.0.0";
                    if (device.equals("desktop")) {
                        String edge = cv + " Safari/537.36 Edg/" + v + ".0.0.0";
                        out.add(win(blink(edge)));
                        out.add(mac(blink(edge)));
                    } else {
                        out.add(
                                android(
                                        cv
                                                + (device.equals("mobile") ? " Mobile" : "")
                                                + " Safari/537.36 EdgA/"
                                                + v
                                                + ".0.0.0"));
                    }
                }
                break;
            case "Firefox":
                for (int v : FIREFOX_VERSIONS) {
                    if (device.equals("desktop")) {
                        out.add(firefoxDesktop("Windows NT 10.0; Win64; x64", v));
                        out.add(firefoxDesktop("Macintosh; Intel Mac OS X 10.15", v));
                        out.add(firefoxDesktop("X11; Linux x86_64", v));
                    } else {
                        String kind = device.equals("mobile") ? "Mobile" : "Tablet";
                        out.add(
                                "Mozilla/5.0 (Android 14; "
                                        + kind
                                        + "; rv:"
                                        + v
                                        + ".0) Gecko/"
                                        + v
                                        + ".0 Firefox/"
                                        + v
                                        + ".0");
                    }
                }
                break;
            case "Safari":
                for (String v : SAFARI_VERSIONS) {
                    if (device.equals("desktop")) {
                        out.add(
                                mac(
                                        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/"
                                                + v
                                                + " Safari/605.1.15"));
                    } else if (device.equals("mobile")) {
                        out.add(
                                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X)"
                                        + " AppleWebKit/605.1.15 (KHTML, like Gecko) Version/"
                                        + v
                                        + " Mobile/15E148 Safari/604.1");
                    } else {
                        out.add(
                                "Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X)"
                                        + " AppleWebKit/605.1.15 (KHTML, like Gecko) Version/"
                                        + v
                                        + " Mobile/15E148 Safari/604.1");
                    }
                }
                break;
            case "Samsung Internet":
                for (int v : SAMSUNG_VERSIONS) {
                    out.add(
                            android(
                                    "SamsungBrowser/"
                                            + v
                                            + ".0 Chrome/"
                                            + (v + 103)
                                            + ".0.0.0"
                                            + (device.equals("tablet") ? "" : " Mobile")
                                            + " Safari/537.36"));
                }
                break;
            default:
                throw new IllegalArgumentException("unknown browser family " + family);
        }
        return out.toArray(new String[0]);
    }

    /** Families that exist only on some devices get a compatible device. */
    static String compatibleDevice(String family, String device) {
        if (family.equals("Samsung Internet") && device.equals("desktop")) return "mobile";
        return device;
    }

    private static String win(String rest) {
        return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " + rest;
    }

    private static String mac(String rest) {
        return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) " + rest;
    }

    /** Chromium's engine tokens before the browser's own ({@code Chrome/…}, {@code Edg/…}). */
    private static String blink(String rest) {
        return "AppleWebKit/537.36 (KHTML, like Gecko) " + rest;
    }

    /** Firefox on a desktop {@code platform}, version {@code v}. */
    private static String firefoxDesktop(String platform, int v) {
        return "Mozilla/5.0 (" + platform + "; rv:" + v + ".0) Gecko/20100101 Firefox/" + v + ".0";
    }

    private static String android(String rest) {
        return "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) " + rest;
    }

    /** Crawlers and automation that execute JavaScript and so send RUM beacons. */
    static final String[] BOT_USER_AGENTS = {
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like"
                + " Gecko) Chrome/141.0.7390.122 Mobile Safari/537.36 (compatible; Googlebot/2.1;"
                + " +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1;"
                + " +http://www.google.com/bot.html) Chrome/141.0.7390.122 Safari/537.36",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0;"
                + " +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " HeadlessChrome/142.0.0.0 Safari/537.36",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"
    };

    /** Countries crawlers come from. */
    static final String[] BOT_COUNTRIES = {"US", "US", "US", "IE", "DE", "SG"};

    /** A JavaScript error: type and message per engine, and the function at the top frame. */
    static final class ErrorKind {
        final String[] types;
        final String[] messages;
        final String function;
        final String file;
        final int line;
        final int column;
        final boolean numbered;

        ErrorKind(
                String[] types,
                String[] messages,
                String function,
                String file,
                int column,
                boolean numbered) {
            this.types = types;
            this.messages = messages;
            this.function = function;
            this.file = file;
            this.line = 1;
            this.column = column;
            this.numbered = numbered;
        }
    }

    private static String[] same(String s) {
        return new String[] {s, s, s};
    }

    /** Everyday errors; {@code {n}} in a message is replaced with a per-occurrence number. */
    static final ErrorKind[] ERRORS = {
        new ErrorKind(
                same("TypeError"),
                new String[] {
                    "Cannot read properties of undefined (reading 'price')",
                    "can't access property \"price\", product is undefined",
                    "undefined is not an object (evaluating 'product.price')"
                },
                "renderPrice",
                "app.8c1f2e.js",
                48213,
                false),
        new ErrorKind(
                same("ChunkLoadError"),
                same("Loading chunk {n} failed."),
                "__webpack_require__.f.j",
                "runtime.1b7d0c.js",
                3121,
                true),
        new ErrorKind(
                same("Error"),
                same("Request failed with status code {n}"),
                "settle",
                "vendor.f00d42.js",
                90412,
                true),
        new ErrorKind(
                same("ReferenceError"),
                new String[] {
                    "gtag is not defined", "gtag is not defined", "Can't find variable: gtag"
                },
                "trackConversion",
                "app.8c1f2e.js",
                12877,
                false),
        new ErrorKind(
                same("SyntaxError"),
                new String[] {
                    "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
                    "JSON.parse: unexpected character at line 1 column 1 of the JSON data",
                    "JSON Parse error: Unrecognized token '<'"
                },
                "loadConfig",
                "app.8c1f2e.js",
                2290,
                false),
        new ErrorKind(
                new String[] {"RangeError", "InternalError", "RangeError"},
                new String[] {
                    "Maximum call stack size exceeded",
                    "too much recursion",
                    "Maximum call stack size exceeded."
                },
                "flattenTree",
                "app.8c1f2e.js",
                77301,
                false),
        new ErrorKind(
                same("Error"),
                same("ResizeObserver loop completed with undelivered notifications."),
                "",
                "",
                0,
                false)
    };

    /** Relative frequency of {@link #ERRORS}. */
    static final double[] ERROR_WEIGHTS = {30, 12, 15, 10, 8, 3, 22};

    /** The error an error-spike incident injects: a new bug that came with new code. */
    static final ErrorKind INCIDENT_ERROR =
            new ErrorKind(
                    same("TypeError"),
                    new String[] {
                        "Cannot read properties of null (reading 'canMakePayments')",
                        "can't access property \"canMakePayments\", session is null",
                        "null is not an object (evaluating 'window.ApplePaySession.canMakePayments')"
                    },
                    "initExpressCheckout",
                    "checkout.5e0a9b.js",
                    1544,
                    false);

    /** The error a new_error incident ships with its release (in no other incident). */
    static final ErrorKind RELEASE_ERROR =
            new ErrorKind(
                    same("TypeError"),
                    new String[] {
                        "Cannot read properties of undefined (reading 'loyaltyTier')",
                        "can't access property \"loyaltyTier\", profile is undefined",
                        "undefined is not an object (evaluating 'profile.loyaltyTier')"
                    },
                    "renderLoyaltyBadge",
                    "account.b71c04.js",
                    2210,
                    false);

    /** Stack text as the engine prints it, with the app's asset host. */
    static String stack(ErrorKind e, int engine, String host, String type, String message) {
        if (e.function.isEmpty()) {
            return "";
        }
        String url = "https://" + host + "/assets/" + e.file;
        if (engine == CHROMIUM) {
            return type
                    + ": "
                    + message
                    + "\n    at "
                    + e.function
                    + " ("
                    + url
                    + ":"
                    + e.line
                    + ":"
                    + e.column
                    + ")\n    at HTMLButtonElement.onClick ("
                    + "https://"
                    + host
                    + "/assets/vendor.f00d42.js:2:11087)\n    at invokeGuardedCallback ("
                    + "https://"
                    + host
                    + "/assets/vendor.f00d42.js:2:5512)";
        }
        return e.function
                + "@"
                + url
                + ":"
                + e.line
                + ":"
                + e.column
                + "\nonClick@https://"
                + host
                + "/assets/vendor.f00d42.js:2:11087\ninvokeGuardedCallback@https://"
                + host
                + "/assets/vendor.f00d42.js:2:5512";
    }

    /** Click targets (CSS selector, accessible name). */
    static final String[][] CLICK_TARGETS = {
        {"button#add-to-cart", "Add to cart"},
        {"a.nav-link[href=\"/cart\"]", "Cart"},
        {"button.btn-primary.checkout", "Checkout"},
        {"div.product-card > a", "Product"},
        {"input#search", "Search"},
        {"button[aria-label=\"Close\"]", "Close"},
        {"a.pagination-next", "Next page"},
        {"button.accept-cookies", "Accept all"},
        {"li.menu-item:nth-child(3) > a", "Sale"},
        {"button#apply-coupon", "Apply"},
        {"span.price", ""},
        {"img.hero-banner", ""}
    };

    /** Where rage clicks happen: elements that look clickable but are slow or dead. */
    static final int[] RAGE_TARGETS = {0, 2, 9, 10, 11};

    static final String[] EXTERNAL_REFERRERS = {
        "https://www.google.com/",
        "https://www.google.de/",
        "https://www.bing.com/",
        "https://duckduckgo.com/",
        "https://www.facebook.com/",
        "https://t.co/",
        "android-app://com.google.android.gm/",
        "https://news.ycombinator.com/"
    };

    static final String[] WORDS = {
        "winter",
        "sale",
        "blue",
        "running",
        "shoe",
        "leather",
        "jacket",
        "organic",
        "coffee",
        "wireless",
        "headphones",
        "kids",
        "garden",
        "lamp",
        "classic",
        "travel",
        "bag",
        "smart",
        "watch",
        "yoga",
        "mat",
        "linen",
        "shirt",
        "ceramic",
        "mug",
        "pro",
        "max",
        "mini"
    };

    static final String[] FIRST_NAMES = {
        "anna", "lukas", "maria", "john", "emma", "noah", "sofia", "liam", "mia", "yuki", "raj",
        "lea"
    };
    static final String[] LAST_NAMES = {
        "mueller", "smith", "garcia", "schmidt", "tanaka", "kumar", "martin", "dubois", "rossi",
        "silva"
    };
    static final String[] EMAIL_DOMAINS = {
        "example.com", "mail.example.org", "example.net", "inbox.example.de"
    };

    static final String[] CHECKOUT_STEPS = {"shipping", "payment", "review", "confirm"};

    static final String[] NOT_JSON = {
        "[object Object]",
        "undefined",
        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad"
                + " Gateway</h1></center></body></html>",
        "events=%5B%7B%22type%22%3A%22page_view%22%7D%5D"
    };

    static final String[] UNKNOWN_TYPES = {"long_task", "heartbeat", "resource", "visibility"};

    static final char[] HEX = "0123456789abcdef".toCharArray();
    static final char[] BASE64URL =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    /** First octet of client IPv4 addresses per country, so addresses look regional. */
    static int firstOctet(String country, SplittableRandom rnd) {
        switch (country) {
            case "US":
                return rnd.nextBoolean() ? 73 : 24;
            case "DE":
                return rnd.nextBoolean() ? 91 : 84;
            case "GB":
                return 86;
            case "FR":
                return 90;
            case "IN":
                return 49;
            case "BR":
                return 177;
            case "JP":
                return 126;
            case "CA":
                return 99;
            case "NL":
                return 145;
            case "ES":
                return 83;
            case "AU":
                return 101;
            default:
                return 100 + Math.floorMod(country.hashCode(), 90);
        }
    }
}
