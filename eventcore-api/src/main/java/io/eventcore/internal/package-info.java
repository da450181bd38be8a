/**
 * Implementation support shared by eventcore modules. Not API: anything here may change in any
 * release, and javadoc excludes it.
 */
package io.eventcore.internal;
