/**
 * Consumer-runtime support shared by eventcore's transports (offset tracking, keyed serial
 * execution, settlement of dispatch results, redelivery headers). Not API: only eventcore modules
 * may use it (an architecture test enforces this), it is not exported, and javadoc excludes it.
 */
package io.eventcore.transport.internal;
