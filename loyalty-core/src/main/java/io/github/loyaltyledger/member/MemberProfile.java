package io.github.loyaltyledger.member;

import io.vavr.collection.SortedMap;
import io.vavr.collection.TreeMap;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * The personal data held about a member, kept apart from the hash-chained ledger so that it can be
 * erased without breaking the chain: their name, a contact hint (e.g. an e-mail address or a
 * masked phone number), their references in other systems (CRM, web shop), and their
 * {@link Consent}. The ledger itself identifies members only by their pseudonymous
 * {@link MemberId}; the birthday the occasion rules need is kept on the account's {@link Member}
 * (mutable running state, not hashed) and cleared with the profile by an erasure.
 *
 * @param member the member
 * @param name the member's name, if given
 * @param contact how to reach the member, if given
 * @param externalRefs the member's id per external system (system name to id), sorted
 * @param consent what the member agreed to be offered
 */
public record MemberProfile(
    MemberId member, Option<String> name, Option<String> contact, SortedMap<String, String> externalRefs,
    Consent consent) {

  /**
   * Validates that no field is null.
   *
   * @param member the member
   * @param name the member's name, if given
   * @param contact how to reach the member, if given
   * @param externalRefs the member's id per external system (system name to id), sorted
   * @param consent what the member agreed to be offered
   * @throws NullPointerException if an argument is null, an option holds null, or an external
   *     reference's system or id is null
   */
  public MemberProfile {
    Objects.requireNonNull(member, "member");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(contact, "contact");
    Objects.requireNonNull(externalRefs, "externalRefs");
    Objects.requireNonNull(consent, "consent");
    // Option.some(null) and null references pass the checks above; the facade would then throw on them.
    name.forEach(n -> Objects.requireNonNull(n, "name holds null"));
    contact.forEach(c -> Objects.requireNonNull(c, "contact holds null"));
    externalRefs.forEach((system, id) -> {
      Objects.requireNonNull(system, "externalRefs holds a null system");
      Objects.requireNonNull(id, "externalRefs holds a null id");
    });
  }

  /**
   * A profile with no personal data and the given consent.
   *
   * @param member the member, not null
   * @param consent the consent, not null
   * @return the profile
   */
  public static MemberProfile of(MemberId member, Consent consent) {
    return new MemberProfile(member, Option.none(), Option.none(), TreeMap.empty(), consent);
  }

  /**
   * @param value the member's name, not null
   * @return a copy with the name
   */
  public MemberProfile withName(String value) {
    return new MemberProfile(member, Option.some(Objects.requireNonNull(value, "name")), contact, externalRefs, consent);
  }

  /**
   * @param value how to reach the member, not null
   * @return a copy with the contact hint
   */
  public MemberProfile withContact(String value) {
    return new MemberProfile(member, name, Option.some(Objects.requireNonNull(value, "contact")), externalRefs, consent);
  }

  /**
   * @param system the external system's name, not null
   * @param id the member's id there, not null
   * @return a copy with the reference added (or replaced)
   */
  public MemberProfile withExternalRef(String system, String id) {
    return new MemberProfile(member, name, contact,
        externalRefs.put(Objects.requireNonNull(system, "system"), Objects.requireNonNull(id, "id")), consent);
  }

  /**
   * @param value the consent, not null
   * @return a copy with this consent
   */
  public MemberProfile withConsent(Consent value) {
    return new MemberProfile(member, name, contact, externalRefs, Objects.requireNonNull(value, "consent"));
  }
}
