package io.eventcore.spring.boot;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the application declares routes: an {@link EventcoreHandler} or an {@link EventRouterCustomizer} bean,
 * or a bean with an {@link EventcoreListener} method.
 */
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

    @Conditional(ListenerMethodBeans.class)
    static final class ListenerMethodsPresent {
    }

    /** A bean definition whose class has an {@link EventcoreListener} method. */
    static final class ListenerMethodBeans implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return context.getBeanFactory() != null && !ListenerMethods.find(context.getBeanFactory()).isEmpty();
        }
    }
}
