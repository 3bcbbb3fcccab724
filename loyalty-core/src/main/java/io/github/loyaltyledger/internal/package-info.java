/**
 * Not API: rules that several of the library's packages apply and that must read the same in all
 * of them (the digits a rate may have, the form of an id), kept here once so that a fix is made
 * once. The module does not export this package; on the class path its types are visible, but
 * they may change or go in any release, and code outside the library must not call them.
 */
package io.github.loyaltyledger.internal;
