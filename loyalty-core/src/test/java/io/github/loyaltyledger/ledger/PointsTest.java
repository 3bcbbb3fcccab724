package io.github.loyaltyledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PointsTest {

  @Nested
  class Arithmetic {

    @Test
    void addingAndSubtractingWholePoints() {
      assertEquals(Points.of(150), Points.of(100).plus(Points.of(50)));
      assertEquals(Points.of(-50), Points.of(100).minus(Points.of(150)));
      assertEquals(Points.of(-7), Points.of(7).negated());
      assertSame(Points.ZERO, Points.of(0));
    }

    @Test
    void anAmountIsTheSameValueWhetherItIsSharedOrNot() {
      for (long v : new long[] {-1, 0, 1, 1023, 1024, Long.MIN_VALUE, Long.MAX_VALUE}) {
        assertEquals(v, Points.of(v).value(), "value of " + v);
        assertEquals(Points.of(v), Points.of(v));
        assertEquals(Long.toString(v), Points.of(v).toString());
      }
      assertEquals(Points.of(1023).plus(Points.of(1)), Points.of(1024));
      assertEquals(-1, Points.of(1023).compareTo(Points.of(1024)));
    }

    @Test
    void everyAmountKeepsItsValueAndEqualsItsOwnValue() {
      qt().forAll(longs().between(-2048, 2048).mix(longs().all())).checkAssert(v -> {
        Points p = Points.of(v);
        assertEquals(v, p.value());
        assertEquals(Points.of(v), p);
        assertEquals(Long.hashCode(v), p.hashCode());
      });
    }

    @Test
    void overflowThrowsInsteadOfWrapping() {
      assertThrows(ArithmeticException.class, () -> Points.of(Long.MAX_VALUE).plus(Points.of(1)));
      assertThrows(ArithmeticException.class, () -> Points.of(Long.MIN_VALUE).minus(Points.of(1)));
      assertThrows(ArithmeticException.class, () -> Points.of(Long.MIN_VALUE).negated());
    }

    @Test
    void canAddAgreesWithExactArithmeticForAnyPair() {
      qt().forAll(longs().all(), longs().all()).checkAssert((a, b) -> {
        boolean fits = BigInteger.valueOf(a).add(BigInteger.valueOf(b)).bitLength() < 64;
        assertEquals(fits, Points.of(a).canAdd(Points.of(b)));
        if (fits) {
          assertEquals(a + b, Points.of(a).plus(Points.of(b)).value());
        }
      });
    }
  }

  @Nested
  class Comparison {

    @Test
    void signAndOrderAreReported() {
      assertTrue(Points.of(1).isPositive());
      assertTrue(Points.of(-1).isNegative());
      assertTrue(Points.ZERO.isZero());
      assertTrue(Points.of(2).isGreaterThan(Points.of(1)));
      assertTrue(Points.of(1).isLessThan(Points.of(2)));
      assertEquals(Points.of(1), Points.of(1).min(Points.of(2)));
      assertEquals(Points.of(2), Points.of(1).max(Points.of(2)));
      assertEquals("-40", Points.of(-40).toString());
    }

    @Test
    void zeroIsNeitherPositiveNorNegativeAndEqualAmountsAreNeitherGreaterNorLess() {
      assertFalse(Points.ZERO.isPositive());
      assertFalse(Points.ZERO.isNegative());
      assertFalse(Points.of(1).isZero());
      assertFalse(Points.of(-1).isZero());
      assertFalse(Points.of(-1).isPositive());
      assertFalse(Points.of(1).isNegative());
      assertFalse(Points.of(5).isGreaterThan(Points.of(5)));
      assertFalse(Points.of(5).isLessThan(Points.of(5)));
      assertFalse(Points.of(2).isLessThan(Points.of(1)));
      assertFalse(Points.of(1).isGreaterThan(Points.of(2)));
      assertEquals(0, Points.of(2_000).compareTo(Points.of(2_000)));
    }

    @Test
    void differentAmountsAreNotEqualWhetherSharedOrNot() {
      assertNotEquals(Points.of(1), Points.of(2));
      assertNotEquals(Points.of(5_000), Points.of(5_001));
      assertNotEquals(Points.of(-1), Points.of(1));
      assertNotEquals(Points.of(1), (Object) 1L);
      assertNotEquals(Points.of(1), null);
    }
  }
}
