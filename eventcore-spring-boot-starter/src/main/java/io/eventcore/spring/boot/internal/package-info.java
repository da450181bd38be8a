/**
 * Implementation details of the starter; not API, excluded from javadoc.
 */
package io.eventcore.spring.boot.internal;
