package io.beaconflow.jobs.generator;

import java.util.List;

/**
 * A generator or incident config file that cannot be used. The message names the file, each bad key
 * (with its line where the YAML parser knows it) and how to fix it, one problem per line.
 */
public class GeneratorConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public GeneratorConfigException(String file, List<String> problems) {
        super(
                file
                        + ": "
                        + problems.size()
                        + " problem(s)\n  - "
                        + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code key: what is wrong; fix: what to do}. */
    public List<String> problems() {
        return problems;
    }
}
