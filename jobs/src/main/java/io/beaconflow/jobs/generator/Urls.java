package io.beaconflow.jobs.generator;

/**
 * Concrete URLs from route templates: {@code {id}}, {@code {uuid}}, {@code {email}}... filled with
 * random values (so the ingest stage has real ids and PII to normalize and scrub), landing query
 * strings with click ids and e-mail addresses, and external referrers.
 */
final class Urls {
    private final Rng rnd;

    Urls(Rng rnd) {
        this.rnd = rnd;
    }

    /** Appends {@code template} with each placeholder filled. */
    void fill(StringBuilder out, String template) {
        int i = 0;
        int n = template.length();
        while (i < n) {
            char c = template.charAt(i);
            if (c == '{') {
                int close = template.indexOf('}', i);
                placeholder(out, template.substring(i + 1, close));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
    }

    private void placeholder(StringBuilder out, String name) {
        switch (name) {
            case "id":
                out.append(1 + rnd.nextInt(rnd.nextBoolean() ? 9_999 : 99_999_999));
                break;
            case "uuid":
                out.append(rnd.uuid());
                break;
            case "hash":
                out.append(rnd.hex(16)).append(rnd.hex(16));
                break;
            case "sha":
                out.append(rnd.hex(16)).append(rnd.hex(16)).append(rnd.hex(8));
                break;
            case "email":
                email(out);
                break;
            case "slug":
                int words = 2 + rnd.nextInt(3);
                for (int w = 0; w < words; w++) {
                    if (w > 0) out.append('-');
                    out.append(rnd.pick(Catalog.WORDS));
                }
                break;
            case "token":
                out.append(rnd.token(22));
                break;
            case "step":
                out.append(rnd.pick(Catalog.CHECKOUT_STEPS));
                break;
            default:
                throw new IllegalStateException("unvalidated placeholder {" + name + "}");
        }
    }

    private void email(StringBuilder out) {
        out.append(rnd.pick(Catalog.FIRST_NAMES))
                .append('.')
                .append(rnd.pick(Catalog.LAST_NAMES))
                .append(rnd.nextInt(100))
                .append('@')
                .append(rnd.pick(Catalog.EMAIL_DOMAINS));
    }

    /** Campaign parameters a landing page arrives with (click ids, a newsletter's e-mail). */
    void landingQuery(StringBuilder out) {
        switch (rnd.nextInt(4)) {
            case 0:
                out.append("?utm_source=google&utm_medium=cpc&utm_campaign=winter_sale&gclid=")
                        .append(rnd.token(20));
                break;
            case 1:
                out.append("?utm_source=newsletter&utm_medium=email&email=");
                int at = out.length();
                email(out);
                int sign = out.indexOf("@", at);
                out.replace(sign, sign + 1, "%40");
                break;
            case 2:
                out.append("?fbclid=").append(rnd.token(24));
                break;
            default:
                out.append("?ref=");
                placeholder(out, "slug");
        }
    }

    /** Pagination, sorting or a search on an inner view. */
    void innerQuery(StringBuilder out) {
        switch (rnd.nextInt(3)) {
            case 0:
                out.append("?page=").append(2 + rnd.nextInt(9));
                break;
            case 1:
                out.append("?sort=price_asc&page=").append(1 + rnd.nextInt(5));
                break;
            default:
                out.append("?q=").append(rnd.pick(Catalog.WORDS));
        }
    }

    /** A search engine or social referrer (t.co links carry a token). */
    String externalReferrer() {
        String referrer = rnd.pick(Catalog.EXTERNAL_REFERRERS);
        return referrer.equals("https://t.co/") ? referrer + rnd.token(10) : referrer;
    }
}
