package io.eventcore.test;

import io.eventcore.deadletter.DeadLetter;
import io.eventcore.deadletter.DeadLetterSink;
import java.util.List;

class InMemoryDeadLetterSinkContractTest extends DeadLetterSinkContract {
    private InMemoryDeadLetterSink sink;

    @Override
    protected DeadLetterSink newSink() {
        sink = new InMemoryDeadLetterSink();
        return sink;
    }

    @Override
    protected List<DeadLetter> stored(int atLeast) {
        return sink.awaitCount(atLeast, timeout());
    }
}
