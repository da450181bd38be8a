/**
 * Argument checks shared by eventcore's builders. Not API: only eventcore modules may use it (an
 * architecture test enforces this), it is not exported, and javadoc excludes it.
 */
package io.eventcore.internal;
