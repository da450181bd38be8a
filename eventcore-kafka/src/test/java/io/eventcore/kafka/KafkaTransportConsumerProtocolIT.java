package io.eventcore.kafka;

/** The transport contract with KIP-848's consumer group protocol ({@code group.protocol=consumer}). */
class KafkaTransportConsumerProtocolIT extends KafkaTransportIT {
    @Override
    protected String groupProtocol() {
        return "consumer";
    }
}
