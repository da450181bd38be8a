package io.eventcore.examples.docs;

// snippet:manual-inbox
import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.SkipEventException;
import io.eventcore.outbox.jdbc.JdbcInbox;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.annotation.Transactional;

class ManualInbox {
    record OrderPlaced(String orderId) {
    }

    interface Reservations {
        void reserve(OrderPlaced order);
    }

    private final DataSource dataSource;
    private final JdbcInbox inbox;
    private final Reservations reservations;

    ManualInbox(DataSource dataSource, JdbcInbox inbox, Reservations reservations) {
        this.dataSource = dataSource;
        this.inbox = inbox;
        this.reservations = reservations;
    }

    @Transactional
    public void onOrderPlaced(Event<OrderPlaced> event, EventContext ctx) {
        Connection connection = DataSourceUtils.getConnection(dataSource);   // the transaction's connection
        if (!inbox.record(connection, ctx.message().consumerGroup(), event.id())) {
            throw new SkipEventException("already processed");
        }
        reservations.reserve(event.payload());                              // same transaction
    }
}
// end:manual-inbox
