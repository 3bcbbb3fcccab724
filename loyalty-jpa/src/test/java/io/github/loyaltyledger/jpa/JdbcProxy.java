package io.github.loyaltyledger.jpa;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/** Stand-ins for JDBC objects whose calls a test intercepts: a lost connection, a failing commit. */
final class JdbcProxy {

  private JdbcProxy() {}

  /** Calls the method on the target, throwing what it threw (not the reflective wrapper). */
  static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /**
   * A proxy that is equal only to itself, as the object it stands for is: a pool finds its own
   * connections by {@code equals} and {@code hashCode}, which the target would answer for itself.
   */
  static <T> T of(Class<T> type, InvocationHandler handler) {
    InvocationHandler identity = (self, method, args) -> switch (method.getName()) {
      case "equals" -> args.length == 1 && self == args[0];
      case "hashCode" -> System.identityHashCode(self);
      default -> handler.invoke(self, method, args);
    };
    return type.cast(Proxy.newProxyInstance(JdbcProxy.class.getClassLoader(), new Class<?>[] {type}, identity));
  }
}
