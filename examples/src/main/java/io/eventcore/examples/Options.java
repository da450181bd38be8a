package io.eventcore.examples;

import java.util.List;

/**
 * Command-line options of the order-service example.
 *
 * @param bootstrapServers Kafka to use, or {@code null} for the in-JVM broker
 * @param jdbcUrl database to use, or {@code null} for in-memory H2
 * @param jdbcUser database user
 * @param jdbcPassword database password
 * @param orders how many orders to place
 */
record Options(String bootstrapServers, String jdbcUrl, String jdbcUser, String jdbcPassword, int orders) {
    static final int DEFAULT_ORDERS = 1000;
    static final String USAGE = String.join("\n",
            "usage: OrderService [--orders N] [--bootstrap-servers HOST:PORT] [--jdbc-url URL]",
            "                    [--jdbc-user USER] [--jdbc-password PASSWORD]",
            "  --orders N                   orders to place, 1..1000000 (default " + DEFAULT_ORDERS + ")",
            "  --bootstrap-servers H:P      a Kafka cluster to use instead of the in-JVM broker",
            "  --jdbc-url URL               a PostgreSQL, MySQL/MariaDB or H2 database instead of in-memory H2",
            "  --jdbc-user USER             database user (default: none)",
            "  --jdbc-password PASSWORD     database password (default: none)");

    /** Thrown for invalid options; the message says which. */
    static final class InvalidOptions extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidOptions(String message) {
            super(message);
        }
    }

    static Options parse(List<String> args) throws InvalidOptions {
        String bootstrap = null;
        String url = null;
        String user = null;
        String password = null;
        int orders = DEFAULT_ORDERS;
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (name.equals("--help") || name.equals("-h")) {
                throw new InvalidOptions("help requested");
            }
            if (i + 1 >= args.size()) {
                throw new InvalidOptions(name.startsWith("--") ? name + " needs a value" : "unknown option " + name);
            }
            String value = args.get(++i);
            switch (name) {
                case "--bootstrap-servers" -> {
                    if (!value.matches("[^\\s:,]+:\\d{1,5}(,[^\\s:,]+:\\d{1,5})*")) {
                        throw new InvalidOptions("--bootstrap-servers must be HOST:PORT[,HOST:PORT...], but was '"
                                + value + "'");
                    }
                    bootstrap = value;
                }
                case "--jdbc-url" -> {
                    if (!value.startsWith("jdbc:")) {
                        throw new InvalidOptions("--jdbc-url must start with jdbc:, but was '" + value + "'");
                    }
                    url = value;
                }
                case "--jdbc-user" -> user = value;
                case "--jdbc-password" -> password = value;
                case "--orders" -> {
                    try {
                        orders = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new InvalidOptions("--orders must be a number, but was '" + value + "'");
                    }
                    if (orders < 1 || orders > 1_000_000) {
                        throw new InvalidOptions("--orders must be between 1 and 1000000, but was " + orders);
                    }
                }
                default -> throw new InvalidOptions("unknown option " + name);
            }
        }
        return new Options(bootstrap, url, user, password, orders);
    }
}
