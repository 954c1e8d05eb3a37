package io.beaconflow.detectors.spec;

import java.util.regex.Pattern;

/**
 * Glob patterns for override matching: {@code *} matches within one path segment (no {@code /}),
 * {@code **} matches across segments, {@code ?} one character; everything else is literal. So
 * {@code /checkout/*} matches {@code /checkout/cart} but not {@code /checkout/cart/items}, and
 * {@code /checkout/**} matches both.
 */
public final class Glob {
    private Glob() {}

    public static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                if (c == '?') {
                    re.append("[^/]");
                } else if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else {
                    re.append("[^/]*");
                }
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString());
    }
}
