package io.eventcore.validation;

import io.eventcore.Event;
import io.eventcore.EventContext;
import io.eventcore.PayloadValidationException;
import io.eventcore.Violation;
import io.eventcore.routing.Middleware;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Jakarta Bean Validation of decoded payloads, as a router {@link Middleware}:
 *
 * <pre>{@code
 * EventRouter router = EventRouter.builder()
 *         .middleware(BeanValidation.middleware())   // add it first: it then runs before any other
 *         .route(OrderPlaced.class, handler)
 *         .build();
 * }</pre>
 *
 * <p>Each payload is validated (default group, cascading where the payload says {@code @Valid})
 * after decoding and before the handler runs. A payload that breaks a constraint never reaches the
 * handler: the attempt fails with a {@link PayloadValidationException}, which is not retried, so
 * the message is dead-lettered at once with its original bytes and the violations (property path
 * and message) in the {@code eventcore_dlq_violations} header. Raw routes are not validated.
 *
 * <p>Needs {@code jakarta.validation:jakarta.validation-api} (3.x) and an implementation such as
 * Hibernate Validator on the classpath; eventcore declares the API as an optional dependency, so
 * nothing of it is loaded unless this class is used. The middleware is thread-safe (validators are).
 */
public final class BeanValidation implements Middleware {
    private static final Comparator<Violation> BY_PATH =
            Comparator.comparing(Violation::path).thenComparing(Violation::message);

    private final Validator validator;

    private BeanValidation(Validator validator) {
        this.validator = validator;
    }

    /**
     * A middleware validating with the default validator factory
     * ({@link Validation#buildDefaultValidatorFactory()}), built once here.
     *
     * @return the middleware
     * @throws jakarta.validation.ValidationException if no Bean Validation provider is on the classpath
     */
    public static BeanValidation middleware() {
        ValidatorFactory factory = Validation.buildDefaultValidatorFactory();
        return new BeanValidation(factory.getValidator());
    }

    /**
     * A middleware validating with the given validator (Spring's or one configured by hand).
     *
     * @param validator the validator, thread-safe as Bean Validation requires
     * @return the middleware
     */
    public static BeanValidation middleware(Validator validator) {
        return new BeanValidation(Objects.requireNonNull(validator, "validator"));
    }

    @Override
    public CompletionStage<Void> invoke(Event<?> event, EventContext context, Chain chain) {
        Object payload = event.payload();
        if (payload != null) {
            List<Violation> violations = validate(payload);
            if (!violations.isEmpty()) {
                return CompletableFuture.failedFuture(new PayloadValidationException(event.type(), violations));
            }
        }
        return chain.proceed(event, context);
    }

    /**
     * Validates a payload outside the router (in a test, say).
     *
     * @param payload the payload
     * @return its violations sorted by path, empty when it is valid
     */
    public List<Violation> validate(Object payload) {
        Set<ConstraintViolation<Object>> found = validator.validate(Objects.requireNonNull(payload, "payload"));
        if (found.isEmpty()) {
            return List.of();
        }
        List<Violation> violations = new ArrayList<>(found.size());
        for (ConstraintViolation<Object> v : found) {
            violations.add(new Violation(pathOf(v.getPropertyPath()), String.valueOf(v.getMessage())));
        }
        violations.sort(BY_PATH);
        return violations;
    }

    private static String pathOf(Path path) {
        StringBuilder s = new StringBuilder();
        for (Path.Node node : path) {
            if (node.getName() == null) {
                continue;
            }
            if (node.isInIterable() && s.length() > 0) {
                s.append('[').append(node.getIndex() != null ? node.getIndex() : node.getKey()).append(']');
            }
            if (node.getKind() != ElementKind.CONTAINER_ELEMENT) {
                s.append(s.length() == 0 ? "" : ".").append(node.getName());
            }
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "BeanValidation[" + validator.getClass().getName() + "]";
    }
}
