/**
 * The rule-plugin example: {@link io.github.loyaltyledger.examples.plugin.ReusableCupBonus}, an
 * {@link io.github.loyaltyledger.earning.EarnRule} shipped in a jar of its own and registered for
 * {@link java.util.ServiceLoader} in {@code META-INF/services/io.github.loyaltyledger.earning.EarnRule}.
 * The jar is the automatic module {@code io.github.loyaltyledger.examples.plugin}, whose service file
 * also counts as its {@code provides} clause on the module path.
 */
package io.github.loyaltyledger.examples.plugin;
