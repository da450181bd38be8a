package io.eventcore.examples.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/** Fails for a public method or constructor whose parameter or return type is an internal class. */
final class PublicSignatureCondition extends ArchCondition<JavaClass> {

    PublicSignatureCondition() {
        super("not expose internal types in public signatures");
    }

    @Override
    public void check(JavaClass type, ConditionEvents events) {
        for (JavaCodeUnit unit : type.getCodeUnits()) {
            if (!unit.getModifiers().contains(JavaModifier.PUBLIC)) {
                continue;
            }
            for (JavaClass used : unit.getParameters().stream().map(p -> p.getRawType()).toList()) {
                report(events, unit, used);
            }
            report(events, unit, unit.getRawReturnType());
        }
    }

    private static void report(ConditionEvents events, JavaCodeUnit unit, JavaClass used) {
        if (used.getPackageName().contains(".internal")) {
            events.add(SimpleConditionEvent.violated(unit, unit.getFullName() + " exposes " + used.getName()));
        }
    }
}
