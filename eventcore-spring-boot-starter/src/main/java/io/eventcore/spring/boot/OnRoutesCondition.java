package io.eventcore.spring.boot;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;

/** Matches when the application declares routes: an {@link EventcoreHandler} or an {@link EventRouterCustomizer} bean. */
final class OnRoutesCondition extends AnyNestedCondition {

    OnRoutesCondition() {
        super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(EventcoreHandler.class)
    static final class HandlerBeans {
    }

    @ConditionalOnBean(EventRouterCustomizer.class)
    static final class CustomizerBeans {
    }
}
