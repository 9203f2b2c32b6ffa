import { test } from '@japa/runner'
import { endpointOfChannel, parseFeatureCode } from '#telephony/agents/feature_codes'

test.group('Feature codes | parsing', () => {
  test('*21 available, *22 break (optionally with a reason dial code), *23 offline', ({
    assert,
  }) => {
    assert.deepEqual(parseFeatureCode('*21'), { to: 'available', dialCode: null })
    assert.deepEqual(parseFeatureCode('*22'), { to: 'break', dialCode: null })
    assert.deepEqual(parseFeatureCode('*221'), { to: 'break', dialCode: '1' })
    assert.deepEqual(parseFeatureCode('*229999'), { to: 'break', dialCode: '9999' })
    assert.deepEqual(parseFeatureCode('*23'), { to: 'offline', dialCode: null })
  })

  test('anything else is no feature code', ({ assert }) => {
    for (const exten of ['*2', '*24', '*2112', '*2299999', '*22a', '21', '*23 ', '', '1000']) {
      assert.isNull(parseFeatureCode(exten), exten)
    }
  })

  test("the agent is the channel's authenticated endpoint, dashes and all", ({ assert }) => {
    assert.equal(endpointOfChannel('PJSIP/1003-0000002a'), '1003')
    assert.equal(endpointOfChannel('PJSIP/t-12-0000000f'), 't-12')
    assert.isNull(endpointOfChannel('Local/1003@from-agent-00000001;1'))
    assert.isNull(endpointOfChannel('PJSIP/1003'))
  })
})
