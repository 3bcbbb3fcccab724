package io.github.loyaltyledger.redemption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.loyaltyledger.Fixtures;
import io.github.loyaltyledger.ledger.Points;
import io.github.loyaltyledger.member.MemberId;
import io.github.loyaltyledger.program.LoyaltyProgram;
import io.vavr.collection.HashSet;
import io.vavr.collection.List;
import java.time.Instant;
import java.time.LocalDate;
import org.joda.money.CurrencyUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogueTest {

  @Nested
  class Vouchers {

    @Test
    void theDefaultIssuerGivesDistinctCodesInTheDocumentedForm() {
      VoucherIssuer issuer = VoucherIssuer.secureRandom();
      List<String> codes = List.range(0, 1000).map(i -> issuer.issue(Fixtures.GIFT_CARD, MemberId.of("ada")));

      assertEquals(1000, codes.distinct().size());
      assertTrue(codes.forAll(c -> c.matches("[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}")), codes.head());
    }

    @Test
    void aSeededIssuerRepeatsItselfAndDifferentSeedsDiffer() {
      MemberId ada = MemberId.of("ada");

      assertEquals(Fixtures.aSeededIssuer(7).issue(Fixtures.GIFT_CARD, ada), Fixtures.aSeededIssuer(7).issue(Fixtures.GIFT_CARD, ada));
      assertNotEquals(Fixtures.aSeededIssuer(7).issue(Fixtures.GIFT_CARD, ada), Fixtures.aSeededIssuer(8).issue(Fixtures.GIFT_CARD, ada));
    }
  }

  @Nested
  class Rewards {

    @Test
    void invalidRewardsAreRejectedWhenBuilt() {
      RewardKind item = new RewardKind.FreeItem("SKU-1");
      RewardId id = RewardId.of("r");
      Instant t = Instant.parse("2026-01-01T00:00:00Z");

      assertThrows(IllegalArgumentException.class, () -> RewardId.of("Not An Id"));
      assertThrows(IllegalArgumentException.class, () -> Reward.builder(id, " ", item, Points.of(1)).build());
      assertThrows(IllegalArgumentException.class, () -> Reward.builder(id, "Mug \uD800", item, Points.of(1)).build());
      assertThrows(IllegalArgumentException.class, () -> Reward.builder(id, "Mug\u0000", item, Points.of(1)).build());
      assertThrows(IllegalArgumentException.class, () -> Reward.builder(id, "r", item, Points.of(-1)).build());
      assertThrows(IllegalArgumentException.class, () -> Reward.builder(id, "r", item, Points.of(1)).availableBetween(t, t).build());
      assertThrows(IllegalArgumentException.class, () -> Reward.builder(id, "r", item, Points.of(1)).stock(-1).build());
      assertThrows(IllegalArgumentException.class, () -> Reward.builder(id, "r", item, Points.of(1)).limit(0, LimitPeriod.DAY).build());
    }

    /** A second cost for one tier silently replaced the first: the reward charged whichever came last. */
    @Test
    void aSecondCostForOneTierIsRefusedNamingTheTier() {
      Reward.Builder mug = Reward.builder(RewardId.of("mug"), "Mug", new RewardKind.FreeItem("SKU-1"), Points.of(100))
          .costForTier("gold", Points.of(80));
      assertEquals("reward 'mug' already costs 80 points for tier 'gold'; give each tier one cost (60 was given)",
          assertThrows(IllegalArgumentException.class, () -> mug.costForTier("gold", Points.of(60))).getMessage());
      assertEquals(Points.of(80), mug.build().costByTier().get("gold").get());
    }

    /**
     * A member redeems within the years the ledger supports, 1 to 9999: a window that opens after
     * them (an epoch in milliseconds read as seconds opens after year 50,000) or closes before them was
     * accepted, and the reward was never available, silently.
     */
    @Test
    void aWindowThatOpensAfterYear9999OrClosesBeforeYear1IsRefusedWhenBuilt() {
      Reward.Builder mug = Reward.builder(RewardId.of("mug"), "Mug", new RewardKind.FreeItem("MUG"), Points.of(80));
      Instant millisAsSeconds = Instant.ofEpochSecond(Instant.parse("2026-06-01T00:00:00Z").toEpochMilli());
      Instant last = Instant.parse("9999-12-31T23:59:59.999999999Z");
      Instant first = Instant.parse("0001-01-01T00:00:00Z");

      for (Instant[] never : new Instant[][] {{millisAsSeconds, Instant.MAX}, {last.plusNanos(1), Instant.MAX},
          {Instant.MIN, first}}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> mug.availableBetween(never[0], never[1]).build());
        assertTrue(e.getMessage().contains("never") && e.getMessage().contains("9999"), e.getMessage());
      }
      assertEquals(io.vavr.control.Option.some(last), mug.availableBetween(last, Instant.MAX).build().from());
      assertEquals(io.vavr.control.Option.some(first.plusNanos(1)),
          mug.availableBetween(Instant.MIN, first.plusNanos(1)).build().until());
      assertEquals(List.empty(), mug.availableBetween(Instant.MIN, Instant.MAX).build()
          .reasonsUnavailable(last, io.github.loyaltyledger.ledger.Channel.Type.WEB, io.vavr.control.Option.none(),
              Points.of(80), 0, 0));
    }

    @Test
    void aNameOf200CharactersIsTheLongestAccepted() {
      RewardKind item = new RewardKind.FreeItem("SKU-1");
      String longest = "m".repeat(200);

      assertEquals(longest, Reward.builder(RewardId.of("r"), longest, item, Points.of(1)).build().name());
      assertThrows(IllegalArgumentException.class,
          () -> Reward.builder(RewardId.of("r"), longest + "m", item, Points.of(1)).build());
    }

    @Test
    void aMalformedKindCodeIsRefusedNamingTheCode() {
      RewardKind shouting = new RewardKind() {
        @Override
        public String code() {
          return "Voucher";
        }

        @Override
        public String describe() {
          return "";
        }
      };
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Reward.builder(RewardId.of("r"), "r", shouting, Points.of(1)).build());
      assertTrue(e.getMessage().endsWith("was 'Voucher'"), e.getMessage());
    }

    @Test
    void anAuthorizationForARewardHoldingNullIsRefusedWhenMade() {
      NullPointerException e = assertThrows(NullPointerException.class, () -> new Authorization(MemberId.of("ada"),
          io.vavr.control.Option.some(null), Points.ZERO, java.time.Duration.ofMinutes(5),
          io.github.loyaltyledger.ledger.Channel.store("s1"), io.github.loyaltyledger.ledger.IdempotencyKey.of("k")));
      assertEquals("reward holds null", e.getMessage());
    }

    @Test
    void aMemberInDeficitMissesTheCostAndTheDeficit() {
      Reward mug = Reward.builder(RewardId.of("mug"), "Mug", new RewardKind.FreeItem("MUG"), Points.of(100)).build();

      assertEquals(List.of(new UnavailableReason.NotEnoughPoints(Points.of(100), Points.of(-5), Points.of(105))),
          mug.reasonsUnavailable(Instant.parse("2026-06-01T00:00:00Z"), io.github.loyaltyledger.ledger.Channel.Type.STORE,
              io.vavr.control.Option.none(), Points.of(-5), 0, 0));
    }

    @Test
    void aRuleAuthorCanAddAKind() {
      RewardKind experience = new RewardKind() {
        @Override
        public String code() {
          return "experience";
        }

        @Override
        public String describe() {
          return "Barista class";
        }
      };
      Reward reward = Reward.builder(RewardId.of("class"), "Barista class", experience, Points.of(900)).build();

      assertEquals(List.empty(), reward.reasonsUnavailable(Instant.EPOCH, io.github.loyaltyledger.ledger.Channel.Type.WEB,
          io.vavr.control.Option.none(), Points.of(900), 0, 0));
    }

    @Test
    void channelsAndTiersMustNameSomething() {
      Reward.Builder mug = Reward.builder(RewardId.of("mug"), "Mug", new RewardKind.FreeItem("MUG"), Points.of(80));

      // No channel at all would have meant every channel, the opposite of what was asked.
      assertThrows(IllegalArgumentException.class, () -> mug.channels().build());
      assertThrows(NullPointerException.class, () -> mug.channels(io.github.loyaltyledger.ledger.Channel.Type.STORE, null));
      assertThrows(NullPointerException.class, () -> mug.forTiers("gold", null));
      // No tier at all would have meant every member: a gold-only reward given to everyone.
      IllegalArgumentException noTier = assertThrows(IllegalArgumentException.class, () -> mug.forTiers().build());
      assertEquals("a reward for some tiers names at least one; leave forTiers out for every member", noTier.getMessage());
      assertEquals(HashSet.of(io.github.loyaltyledger.ledger.Channel.Type.APP),
          mug.channels(io.github.loyaltyledger.ledger.Channel.Type.APP).build().channels());
    }

    /** A kind of a rule author's own, with the given code. */
    private RewardKind ownKind(String code) {
      return new RewardKind() {
        @Override
        public String code() {
          return code;
        }

        @Override
        public String describe() {
          return "Partner voucher";
        }
      };
    }

    @Test
    void aRewardFiledUnderAnotherIdIsRefusedNamingBoth() {
      Reward mug = Reward.builder(RewardId.of("mug"), "Mug", new RewardKind.FreeItem("MUG"), Points.of(80)).build();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RewardCatalog(
          io.vavr.collection.LinkedHashMap.of(RewardId.of("cup"), mug), TierSource.LADDER, java.time.Duration.ofDays(1),
          ReturnedPoints.DEFAULT));
      assertEquals("every reward must be filed under its own id: reward 'mug' is filed under 'cup'", e.getMessage());
    }

    @ParameterizedTest(name = "SKU {0}")
    @CsvSource({"BEANS-250", "COFFEE/L", "BEV:LATTE", "a.b_c"})
    void aFreeItemIsAnySkuAPurchaseLineCanCarry(String sku) {
      io.github.loyaltyledger.earning.LineItem.of(sku, 1, org.joda.money.Money.parse("EUR 3.50"));

      assertEquals(sku, new RewardKind.FreeItem(sku).sku());
    }

    @Test
    void aKindOfOurOwnNeedsAWellFormedCodeThatNoBuiltInKindUses() {
      RewardId id = RewardId.of("partner");

      // A hold of a kind that claims "voucher" was recorded as a voucher hold, and then never
      // captured: the catalogue has no voucher reward of that id to issue its code.
      for (String taken : List.of("voucher", "free-item", "money-off", "points-as-payment")) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Reward.builder(id, "Partner voucher", ownKind(taken), Points.of(10)).build());
        assertTrue(e.getMessage().contains("'" + taken + "'"), e.getMessage());
      }
      for (String malformed : java.util.Arrays.asList(null, "", "Partner Voucher", "partner\u0000", "x".repeat(41))) {
        assertThrows(IllegalArgumentException.class,
            () -> Reward.builder(id, "Partner voucher", ownKind(malformed), Points.of(10)).build(), malformed);
      }
      assertEquals("partner-voucher-2", Reward.builder(id, "Partner voucher", ownKind("partner-voucher-2"), Points.of(10))
          .build().kind().code());
      assertEquals("voucher", Reward.builder(id, "Gift card", RewardKind.Voucher.withRandomCodes(), Points.of(10))
          .build().kind().code());
    }

    @Test
    void aPointsAsPaymentRewardWorthAnotherCurrencyThanTheProgramsIsRejectedWhenTheProgramIsBuilt() {
      RewardCatalog catalog = RewardCatalog.builder().tiers(TierSource.NONE)
          .reward(Fixtures.aCatalog(TierSource.NONE, ReturnedPoints.DEFAULT).reward(Fixtures.PAY).get()).build();

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoyaltyProgram.builder("p").currency(CurrencyUnit.USD).rewards(catalog).build());

      assertTrue(e.getMessage().contains("'pay-with-points'") && e.getMessage().contains("EUR"), e.getMessage());
      assertEquals(catalog, LoyaltyProgram.builder("p").currency(CurrencyUnit.EUR).rewards(catalog).build().rewards());
    }

    @Test
    void aMoneyOffRewardInAnotherCurrencyThanTheProgramsIsRejectedWhenTheProgramIsBuilt() {
      RewardCatalog catalog = Fixtures.aCatalog(TierSource.NONE, ReturnedPoints.DEFAULT);
      RewardCatalog withoutPayment = RewardCatalog.builder().tiers(TierSource.NONE)
          .reward(catalog.reward(Fixtures.FIVE_OFF).get()).build();

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoyaltyProgram.builder("p").currency(CurrencyUnit.JPY).rewards(withoutPayment).build());

      assertTrue(e.getMessage().contains("'five-off'") && e.getMessage().contains("EUR 5.00")
          && e.getMessage().contains("JPY"), e.getMessage());
      assertEquals(withoutPayment, LoyaltyProgram.builder("p").currency(CurrencyUnit.EUR).rewards(withoutPayment).build()
          .rewards());
    }

    /**
     * The catalogue reads tiers from the program's ladder by default: without a ladder no member has
     * a tier, so a reward for some tiers was never available and a tier's price never charged.
     */
    @ParameterizedTest
    @CsvSource({"access", "cost"})
    void aRewardForSomeTiersInAProgramWhereNoMemberCanHaveATierIsRejectedWhenTheProgramIsBuilt(String gating) {
      Reward.Builder lounge = Reward.builder(Fixtures.LOUNGE, "Lounge access", new RewardKind.FreeItem("LOUNGE"),
          Points.of(300));
      RewardCatalog catalog = RewardCatalog.builder()
          .reward((gating.equals("access") ? lounge.forTiers("gold") : lounge.costForTier("gold", Points.of(150))).build())
          .build();

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoyaltyProgram.builder("p").rewards(catalog).build());

      assertTrue(e.getMessage().contains("'" + Fixtures.LOUNGE + "'") && e.getMessage().contains("TierSource"), e.getMessage());
      RewardCatalog ownTiers = RewardCatalog.builder().reward(catalog.list().single())
          .tiers((member, at) -> io.vavr.control.Option.some("gold")).build();
      assertEquals(ownTiers, LoyaltyProgram.builder("p").rewards(ownTiers).build().rewards());
      // A catalogue that says no member has a tier charges the base cost, but offers nothing to some tiers only.
      RewardCatalog noTiers = RewardCatalog.builder().reward(catalog.list().single()).tiers(TierSource.NONE).build();
      if (gating.equals("access")) {
        assertThrows(IllegalArgumentException.class, () -> LoyaltyProgram.builder("p").rewards(noTiers).build());
      } else {
        assertEquals(noTiers, LoyaltyProgram.builder("p").rewards(noTiers).build().rewards());
      }
    }

    /**
     * A catalogue that says no member has a tier ({@code TierSource.NONE}) charged every member the
     * base cost, as documented; but a reward it offered to some tiers only, by the reward's own
     * {@code forTiers} or a ladder tier's reward access, was never available to anyone, silently.
     */
    @Test
    void aRewardForSomeTiersOnlyInACatalogueWhereNoMemberHasATierIsRejectedWhenTheProgramIsBuilt() {
      Reward lounge = Reward.builder(Fixtures.LOUNGE, "Lounge access", new RewardKind.FreeItem("LOUNGE"), Points.of(300))
          .forTiers("gold").build();
      RewardCatalog forGold = RewardCatalog.builder().reward(lounge).tiers(TierSource.NONE).build();

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoyaltyProgram.builder("p").rewards(forGold).build());

      assertTrue(e.getMessage().contains("'" + Fixtures.LOUNGE + "'") && e.getMessage().contains("(gold)")
          && e.getMessage().contains("TierSource.NONE"), e.getMessage());
      Reward open = Reward.builder(Fixtures.LOUNGE, "Lounge access", new RewardKind.FreeItem("LOUNGE"), Points.of(300))
          .build();
      io.github.loyaltyledger.tier.TierLadder accessForGold = io.github.loyaltyledger.tier.TierLadder
          .builder(io.github.loyaltyledger.tier.QualificationWindow.calendarYear())
          .tier(io.github.loyaltyledger.tier.Tier.of("green", "Green", io.github.loyaltyledger.tier.Qualification.none()))
          .tier(io.github.loyaltyledger.tier.Tier.of("gold", "Gold", io.github.loyaltyledger.tier.Qualification.points(500))
              .withBenefits(io.github.loyaltyledger.tier.TierBenefits.standard().withRewardAccess(Fixtures.LOUNGE.value())))
          .build();
      RewardCatalog openToAll = RewardCatalog.builder().reward(open).tiers(TierSource.NONE).build();
      IllegalArgumentException byLadder = assertThrows(IllegalArgumentException.class,
          () -> LoyaltyProgram.builder("p").tierLadder(accessForGold).rewards(openToAll).build());
      assertTrue(byLadder.getMessage().contains("'" + Fixtures.LOUNGE + "'") && byLadder.getMessage().contains("(gold)")
          && byLadder.getMessage().contains("TierSource.NONE"), byLadder.getMessage());
      // What NONE is for stays: every member pays the base cost, whatever the reward or ladder prices.
      RewardCatalog pricedForGold = RewardCatalog.builder().reward(Reward.builder(Fixtures.LOUNGE, "Lounge access",
          new RewardKind.FreeItem("LOUNGE"), Points.of(300)).costForTier("gold", Points.of(150)).build())
          .tiers(TierSource.NONE).build();
      assertEquals(pricedForGold, LoyaltyProgram.builder("p").rewards(pricedForGold).build().rewards());
      assertEquals(openToAll, LoyaltyProgram.builder("p").rewards(openToAll).build().rewards());
    }

    /**
     * A second reward under an id the catalogue already offers replaced the first silently, so a
     * copy-and-paste slip lost a reward (and a till redeemed the wrong one) with nothing said.
     */
    /**
     * A catalogue that reads tiers from the ladder gives members only the ladder's tier ids: a reward
     * for a tier the ladder does not have ("Gold" for "gold") was never available to anyone, and a
     * price for one never charged, silently.
     */
    @ParameterizedTest
    @CsvSource({"access", "cost"})
    void aRewardForATierTheLadderDoesNotHaveIsRejectedWhenTheProgramIsBuilt(String gating) {
      io.github.loyaltyledger.tier.TierLadder ladder = io.github.loyaltyledger.tier.TierLadder
          .builder(io.github.loyaltyledger.tier.QualificationWindow.calendarYear())
          .tier(io.github.loyaltyledger.tier.Tier.of("green", "Green", io.github.loyaltyledger.tier.Qualification.none()))
          .tier(io.github.loyaltyledger.tier.Tier.of("gold", "Gold", io.github.loyaltyledger.tier.Qualification.points(500)))
          .build();
      java.util.function.Function<String, Reward> loungeFor = tier -> {
        Reward.Builder lounge = Reward.builder(Fixtures.LOUNGE, "Lounge access", new RewardKind.FreeItem("LOUNGE"),
            Points.of(300));
        return (gating.equals("access") ? lounge.forTiers(tier) : lounge.costForTier(tier, Points.of(150))).build();
      };
      RewardCatalog misspelt = RewardCatalog.builder().reward(loungeFor.apply("Gold")).build();

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> LoyaltyProgram.builder("p").tierLadder(ladder).rewards(misspelt).build());

      assertTrue(e.getMessage().contains("'" + Fixtures.LOUNGE + "'") && e.getMessage().contains("'Gold'")
          && e.getMessage().contains("green, gold"), e.getMessage());
      RewardCatalog ownTiers = RewardCatalog.builder().reward(misspelt.list().single())
          .tiers((member, at) -> io.vavr.control.Option.some("Gold")).build();
      assertEquals(ownTiers, LoyaltyProgram.builder("p").tierLadder(ladder).rewards(ownTiers).build().rewards());
      RewardCatalog spelt = RewardCatalog.builder().reward(loungeFor.apply("gold")).build();
      assertEquals(spelt, LoyaltyProgram.builder("p").tierLadder(ladder).rewards(spelt).build().rewards());
    }

    @Test
    void aSecondRewardWithAnIdTheCatalogueAlreadyOffersIsRefusedNamingTheId() {
      Reward mug = Reward.builder(RewardId.of("mug"), "Mug", new RewardKind.FreeItem("MUG"), Points.of(80)).build();
      Reward tote = Reward.builder(RewardId.of("mug"), "Tote bag", new RewardKind.FreeItem("TOTE"), Points.of(250)).build();
      RewardCatalog.Builder catalog = RewardCatalog.builder().reward(mug);

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.reward(tote));

      assertTrue(e.getMessage().contains("'mug'") && e.getMessage().contains("another id"), e.getMessage());
      assertEquals(List.of(mug), catalog.build().list());
      assertThrows(IllegalArgumentException.class, () -> RewardCatalog.builder().reward(mug).reward(mug));
    }

    @Test
    void aPriceForATierTheRewardIsNotOfferedToIsRefusedSinceItCouldNeverBeCharged() {
      Reward.Builder lounge = Reward.builder(RewardId.of("lounge"), "Lounge pass", new RewardKind.FreeItem("LOUNGE"),
          Points.of(300)).forTiers("gold", "platinum").costForTier("platinum", Points.of(100));

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> lounge.costForTier("silver", Points.of(200)).build());

      assertEquals("reward lounge has a price for tier 'silver', which it is not offered to (forTiers gold, platinum),"
          + " so that price could never be charged: offer it to that tier too, or leave the price out", e.getMessage());
      assertEquals(Points.of(200), Reward.builder(RewardId.of("lounge"), "Lounge pass", new RewardKind.FreeItem("LOUNGE"),
          Points.of(300)).costForTier("silver", Points.of(200)).build().costByTier().get("silver").get());
    }

    @Test
    void theCatalogueKeepsTheOrderRewardsWereAddedIn() {
      RewardCatalog catalog = Fixtures.aCatalog(TierSource.NONE, ReturnedPoints.DEFAULT);

      assertEquals(List.of(Fixtures.FREE_COFFEE, Fixtures.GIFT_CARD, Fixtures.FIVE_OFF, Fixtures.LOUNGE,
          Fixtures.SUMMER_MUG, Fixtures.PAY), catalog.list().map(Reward::id));
      assertEquals(HashSet.of("gold"), catalog.reward(Fixtures.LOUNGE).get().tiers());
    }
  }

  @Test
  void aCataloguePrintsWhereItsTiersComeFromNotALambdasClassName() {
    String byDefault = RewardCatalog.EMPTY.toString();
    String none = RewardCatalog.builder().tiers(TierSource.NONE).build().toString();

    assertTrue(byDefault.contains("tiers=TierSource.LADDER,"), byDefault);
    assertTrue(none.contains("tiers=TierSource.NONE,"), none);
    assertEquals("TierSource.LADDER", TierSource.LADDER.toString());
    assertEquals("TierSource.NONE", TierSource.NONE.toString());
  }

  @Nested
  class Reasons {

    @ParameterizedTest(name = "{0} a {1}: {2}")
    @CsvSource({
        "1, DAY,   limited to 1 per day; 1 used",
        "2, WEEK,  limited to 2 per week; 2 used",
        "1, MONTH, limited to 1 per month; 1 used",
        "3, YEAR,  limited to 3 per year; 3 used",
        "1, EVER,  limited to 1 ever; 1 used",
    })
    void aReachedLimitSaysHowOftenTheRewardCanBeRedeemed(int count, LimitPeriod period, String description) {
      assertEquals(description, new UnavailableReason.LimitReached(new RedemptionLimit(count, period), count).describe());
    }

    @ParameterizedTest(name = "stock {0}: {1}")
    @CsvSource({
        "0,   none in stock",
        "1,   the only one in stock is taken",
        "2,   all 2 in stock are taken",
        "500, all 500 in stock are taken",
    })
    void anExhaustedStockSaysSoForEveryStock(long stock, String description) {
      assertEquals(description, new UnavailableReason.OutOfStock(stock).describe());
    }

    @Test
    void aClosedWindowAndAnUnofferedChannelSayWhatIsOffered() {
      Instant at = Instant.parse("2026-06-01T00:00:00Z");
      assertEquals("offered from the start until 2026-05-01T00:00:00Z, not at 2026-06-01T00:00:00Z",
          new UnavailableReason.OutsideWindow(io.vavr.control.Option.none(),
              io.vavr.control.Option.some(Instant.parse("2026-05-01T00:00:00Z")), at).describe());
      assertEquals("offered from 2026-07-01T00:00:00Z until further notice, not at 2026-06-01T00:00:00Z",
          new UnavailableReason.OutsideWindow(io.vavr.control.Option.some(Instant.parse("2026-07-01T00:00:00Z")),
              io.vavr.control.Option.none(), at).describe());
      assertEquals("offered on APP, WEB, not on STORE", new UnavailableReason.ChannelNotOffered(
          io.github.loyaltyledger.ledger.Channel.Type.STORE, HashSet.of(io.github.loyaltyledger.ledger.Channel.Type.WEB,
              io.github.loyaltyledger.ledger.Channel.Type.APP)).describe());
    }

    @ParameterizedTest(name = "cost {0}, available {1}: {3}")
    @CsvSource({
        "150, 0,   150, 'costs 150 points; 0 are available, 150 missing'",
        "150, 1,   149, 'costs 150 points; 1 is available, 149 missing'",
        "150, 149, 1,   'costs 150 points; 149 are available, 1 missing'",
        "1,   0,   1,   'costs 1 point; 0 are available, 1 missing'",
        "1,   -1,  2,   'costs 1 point; -1 are available, 2 missing'",
    })
    void missingPointsSayWhatTheRewardCostsAndHowManyAreAvailableInPlainWords(
        long cost, long available, long missing, String description) {
      assertEquals(description,
          new UnavailableReason.NotEnoughPoints(Points.of(cost), Points.of(available), Points.of(missing)).describe());
    }
  }

  @Nested
  class Periods {

    @ParameterizedTest(name = "{0} of {1} is {2}")
    @CsvSource({
        "DAY,   2026-03-01, 2026-03-01",
        "WEEK,  2026-03-01, 2026-W09",
        "WEEK,  2027-01-01, 2026-W53",
        "MONTH, 2026-03-31, 2026-03",
        "MONTH, 0999-03-31, 0999-03",
        "MONTH, +10000-01-01, 10000-01",
        "YEAR,  2026-12-31, 2026",
        "EVER,  2026-03-01, ever",
    })
    void eachPeriodIsNamedByTheCalendarUnitContainingTheDate(LimitPeriod period, LocalDate date, String label) {
      assertEquals(label, period.label(date));
    }
  }
}
